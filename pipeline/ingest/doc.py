"""Word 97-2003 (.doc), OpenDocument (.odt) and RTF: converted to DOCX by LibreOffice headless, then read as DOCX.

The converter runs without a shell, in a private temporary folder with its own
user profile (so parallel conversions do not fight over one profile and
nothing of the user's is touched), in a process group of its own that is
killed whole at the time limit (pipeline.ingest.external).

It must never reach the network: a document can link a picture or a text
from a web address (Word's INCLUDEPICTURE field, an ODF image with an http
link), and fetching it would tell the address's owner that the file was
opened, and where. Two locks, because LibreOffice 7.4 honours neither alone
for every format:

1. the private profile's registrymodifications.xcu blocks links from
   documents outside trusted locations (BlockUntrustedRefererLinks: this
   stops ODT and RTF pictures), never updates links or fields on load, and
   turns macros off;
2. the converter runs in a network namespace without network (`unshare
   -rn`), which also stops what the profile does not: LibreOffice 7.4 fetches
   a .doc's linked picture whatever the profile says, and waits for an answer
   that may never come.

Where the kernel refuses the namespace (no unprivileged user namespaces), the
profile and the time limit are what is left; README, "Input formats", says so.
"""
from __future__ import annotations

import functools
import shutil
import tempfile
from pathlib import Path

from pipeline.ingest import IngestError, Ingested
from pipeline.ingest.external import ToolTimeout, run_tool

CONVERT_TIMEOUT_S = 180
HINT = "Install LibreOffice to read {what} files: `apt-get install libreoffice-writer-nogui` (`bash setup.sh` does it when run as root), or save the file as .docx."
WHAT = {"doc": "legacy Word .doc", "odt": "OpenDocument .odt", "rtf": "RTF"}

# (configuration path, property, value): what the private profile changes (see the module's docstring)
PROFILE_SETTINGS = (
    ("/org.openoffice.Office.Common/Security/Scripting", "BlockUntrustedRefererLinks", "true"),
    ("/org.openoffice.Office.Common/Security/Scripting", "DisableMacrosExecution", "true"),
    ("/org.openoffice.Office.Common/Security/Scripting", "MacroSecurityLevel", "3"),
    ("/org.openoffice.Office.Writer/Content/Update", "Link", "2"),  # never update links on load
    ("/org.openoffice.Office.Writer/Content/Update", "Field", "false"),
    ("/org.openoffice.Office.Calc/Content/Update", "Link", "1"),  # never (Calc counts differently)
    ("/org.openoffice.Office.Common/Misc", "CollectUsageInformation", "false"),
)


@functools.cache
def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def read_doc(data: bytes, *, max_unpacked: int | None = None) -> Ingested:
    return convert_and_read(data, "doc", max_unpacked)


def read_odt(data: bytes, *, max_unpacked: int | None = None) -> Ingested:
    return convert_and_read(data, "odt", max_unpacked)


def read_rtf(data: bytes, *, max_unpacked: int | None = None) -> Ingested:
    return convert_and_read(data, "rtf", max_unpacked)


def convert_and_read(data: bytes, fmt: str, max_unpacked: int | None = None) -> Ingested:
    exe = soffice()
    what = WHAT[fmt]
    if exe is None:
        raise IngestError("converter_missing", f"This is a {what} file and LibreOffice is not installed. {HINT.format(what=what)}")
    with tempfile.TemporaryDirectory(prefix=f"baocao-{fmt}-") as tmp:
        work = Path(tmp)
        src = work / f"input.{fmt}"  # the suffix tells LibreOffice which import filter to try first
        src.write_bytes(data)
        profile = work / "profile"
        write_profile(profile)
        cmd = [
            exe, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore", "--nolockcheck",
            "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(work / "out"), str(src),
        ]
        try:
            done = run_tool(cmd, timeout=CONVERT_TIMEOUT_S, cwd=work, offline=True)
        except ToolTimeout as exc:
            raise IngestError("timeout", f"LibreOffice took more than {CONVERT_TIMEOUT_S} s to convert the {what} file; it was stopped.") from exc
        out = work / "out" / "input.docx"
        if done.returncode != 0 or not out.exists():
            detail = (done.stderr or done.stdout).decode("utf-8", "replace").strip()[:300]
            raise IngestError("corrupt_file", f"LibreOffice could not convert the {what} file; it may be damaged or not what its name says. {detail}".strip())
        from pipeline.ingest.docx import read_docx

        ing = read_docx(out.read_bytes(), max_unpacked=max_unpacked)
    ing.source_format = fmt
    ing.layout = fmt
    return ing


def write_profile(profile: Path) -> None:
    """A LibreOffice user profile holding only PROFILE_SETTINGS (LibreOffice fills in the rest)."""
    user = profile / "user"
    user.mkdir(parents=True, exist_ok=True)
    items = "".join(
        f'<item oor:path="{path}"><prop oor:name="{name}" oor:op="fuse"><value>{value}</value></prop></item>\n'
        for path, name, value in PROFILE_SETTINGS
    )
    (user / "registrymodifications.xcu").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n' + items + "</oor:items>\n",
        encoding="utf-8",
    )
