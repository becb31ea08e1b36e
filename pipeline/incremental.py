"""What a run must read, and what it can carry over from the dataset it replaces.

A document is its bytes: `doc_id` is their sha256, and one document is one
`documents` row however many paths lead to it. A file is recognized across runs
by its resolved path (so `run broken`, `run /abs/broken` and `run .` inside it
are the same files) and, when the path is new, by its content (a file moved or
copied is not read again). Files are hashed only where that can save reading
them: when the dataset already holds a document of the same size.
"""
from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.discover import InputFile


@dataclass(slots=True)
class Known:
    """A document the previous dataset holds (made by this pipeline version)."""

    doc_id: str
    sha256: str
    size_bytes: int
    source_path: str
    paths: set[str] = field(default_factory=set)  # resolved paths of the inputs that held it


@dataclass(slots=True)
class Plan:
    to_read: list[InputFile] = field(default_factory=list)
    changed: set[str] = field(default_factory=set)  # displays of inputs to read whose path held other bytes before
    carried: dict[str, InputFile] = field(default_factory=dict)  # doc_id -> the input that still holds it
    duplicates: list[tuple[InputFile, str]] = field(default_factory=list)  # (input, doc_id of the same bytes)
    replaced: set[str] = field(default_factory=set)  # doc_ids whose file now holds other bytes
    vanished: list[Known] = field(default_factory=list)  # no input holds them any more


def plan(files: list[InputFile], known: dict[str, Known]) -> Plan:
    out = Plan()
    if not known:
        out.to_read = list(files)
        return out
    by_path: dict[str, Known] = {}
    for k in known.values():
        for p in k.paths:
            by_path[p] = k
    by_size: dict[int, list[Known]] = defaultdict(list)
    for k in known.values():
        by_size[k.size_bytes].append(k)
    by_sha = {k.sha256: k for k in known.values()}
    for item in files:
        size = _size(item.path)
        was = by_path.get(item.resolved) or by_path.get(item.display)
        digest = _sha256(item.path) if size is not None and size in by_size else None
        same = by_sha.get(digest) if digest else None
        if same is None:
            out.to_read.append(item)
            if was is not None:
                out.replaced.add(was.doc_id)
                out.changed.add(item.display)
        elif same.doc_id in out.carried:
            out.duplicates.append((item, same.doc_id))
        else:
            out.carried[same.doc_id] = item
            if was is not None and was.doc_id != same.doc_id:
                out.replaced.add(was.doc_id)
    held = set(out.carried) | out.replaced
    out.vanished = [k for k in known.values() if k.doc_id not in held]
    return out


def held_by(items: list[InputFile], known: dict[str, Known]) -> set[str]:
    """The doc_ids of the known documents these inputs' paths held (without reading them)."""
    paths = {p for item in items for p in (item.resolved, item.display)}
    return {k.doc_id for k in known.values() if paths & k.paths}


def _size(path: Path) -> int | None:
    try:
        return path.stat().st_size
    except OSError:
        return None


def _sha256(path: Path) -> str | None:
    try:
        with path.open("rb") as fh:
            return hashlib.file_digest(fh, "sha256").hexdigest()
    except OSError:
        return None


def known_documents(out: Path, version: str) -> dict[str, Known]:
    """The documents the dataset at `out` holds that this version made, with the paths that held them.

    Paths come from the manifest's inputs (resolved paths; datasets written before
    they were recorded give the path as stored). A dataset of another kind
    (no manifest, other columns) knows nothing: everything is read again; one
    with a damaged part stops the run (DamagedDataset: --full rebuilds it).
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    from pipeline.store.commit import DamagedDataset, read_manifest
    from pipeline.store.schema import TABLES
    from pipeline.store.tables import read_parts

    manifest = read_manifest(out)
    folder = out / "documents"
    if manifest is None or not folder.is_dir():
        return {}
    parts = sorted(folder.glob("*.parquet"))
    for part in parts:  # damaged is not unknown: reading everything again would drop rows
        try:
            pq.read_metadata(part)
        except (pa.ArrowException, OSError) as exc:
            raise DamagedDataset(out, part, exc) from None
    try:
        table = read_parts(parts, TABLES["documents"].schema, ["doc_id", "source_path", "sha256", "size_bytes", "pipeline_version"])
    except (OSError, ValueError, pa.ArrowException):  # columns of another kind
        return {}
    known = {
        r["doc_id"]: Known(r["doc_id"], r["sha256"], r["size_bytes"], r["source_path"], {r["source_path"]})
        for r in table.to_pylist()
        if r["pipeline_version"] == version
    }
    for entry in manifest.get("inputs") or ():
        k = known.get(entry.get("doc_id")) if isinstance(entry, dict) else None
        if k is not None:
            k.paths.update(entry.get("paths") or ())
            if entry.get("resolved"):
                k.paths.add(entry["resolved"])
    return known
