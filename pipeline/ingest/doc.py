"""Legacy Word (.doc): converted to DOCX by LibreOffice headless, then read as DOCX.

The converter runs without a shell, in a private temporary folder with its own
user profile (so parallel conversions do not fight over one profile and
nothing of the user's is touched), and under a time limit.
"""
from __future__ import annotations

import functools
import shutil
import subprocess
import tempfile
from pathlib import Path

from pipeline.ingest import IngestError, Ingested

CONVERT_TIMEOUT_S = 180
HINT = "Install LibreOffice to read .doc files: `apt-get install libreoffice-writer-nogui` (`bash setup.sh` does it when run as root), or save the file as .docx."


@functools.cache
def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def read_doc(data: bytes) -> Ingested:
    exe = soffice()
    if exe is None:
        raise IngestError("converter_missing", f"This is a legacy Word .doc file and LibreOffice is not installed. {HINT}")
    with tempfile.TemporaryDirectory(prefix="baocao-doc-") as tmp:
        work = Path(tmp)
        src = work / "input.doc"
        src.write_bytes(data)
        cmd = [
            exe, f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless", "--norestore",
            "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(work / "out"), str(src),
        ]
        try:
            done = subprocess.run(cmd, capture_output=True, timeout=CONVERT_TIMEOUT_S, cwd=work, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired as exc:
            raise IngestError("timeout", f"LibreOffice took more than {CONVERT_TIMEOUT_S} s to convert the .doc file.") from exc
        out = work / "out" / "input.docx"
        if done.returncode != 0 or not out.exists():
            detail = (done.stderr or done.stdout).decode("utf-8", "replace").strip()[:300]
            raise IngestError("corrupt_file", f"LibreOffice could not convert the .doc file; it may be damaged or not a Word document. {detail}".strip())
        from pipeline.ingest.docx import read_docx

        ing = read_docx(out.read_bytes())
    ing.source_format = "doc"
    ing.layout = "doc"
    return ing
