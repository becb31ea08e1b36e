"""`--log-file`: one JSON object per line for every file and for the run's start and end."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import IO


class RunLog:
    def __init__(self, path: Path | None, echo=None):
        self._fh: IO[str] | None = path.open("a", encoding="utf-8") if path else None
        self._echo = echo  # -v: a function printing one line per file

    def event(self, event: str, **fields) -> None:
        self._write({"event": event, **fields})

    def file(self, path: str, status: str, **fields) -> None:
        record = {"event": "file", "path": path, "status": status, **{k: v for k, v in fields.items() if v not in (None, [], "")}}
        self._write(record)
        if self._echo is not None:
            detail = record.get("error_type") or f"{record.get('references', 0)} citations"
            self._echo(f"{status:7} {path}  {detail}  {record.get('seconds', '')}s")

    def _write(self, record: dict) -> None:
        if self._fh is not None:
            record = {"time": dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds"), **record}
            self._fh.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
            self._fh.flush()

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
