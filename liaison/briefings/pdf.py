"""Briefings as PDF: LibreOffice converts the Word file, in the worker (liaison.tasks).

``convert(docx_bytes)`` returns the bytes of a tagged PDF (a structure tree for screen
readers) with bookmarks made from the document's headings. Each conversion runs
``soffice --headless`` in a temporary folder of its own, with a LibreOffice profile of its
own, so two workers can convert at once (LibreOffice refuses a second process on a profile
in use). ``available()`` says whether LibreOffice is installed; where it is not, briefings
stay Word only.

Settings (optional):

* ``LIBREOFFICE_BINARY``: the program to run, a path or a name on PATH (default ``soffice``,
  else ``libreoffice``);
* ``BRIEFING_PDF_TIMEOUT``: seconds one conversion may take (default 180; django-q's task
  timeout must be longer).

No Django models here, no storage: bytes in, bytes out.
"""

import json
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings

DEFAULT_TIMEOUT = 180
INPUT_FILTER = "MS Word 2007 XML"  # .docx, whatever the bytes look like

# writer_pdf_Export's options (LibreOffice 7.4 takes them as JSON after the filter name).
FILTER_OPTIONS = {
    "UseTaggedPDF": True,  # headings, lists and tables as PDF structure, for screen readers
    "ExportBookmarks": True,  # the outline (bookmarks) from the headings
    "ExportNotes": False,  # no comments as PDF annotations
    "ExportFormFields": False,  # a briefing has no form to fill in
    "IsSkipEmptyPages": False,  # page numbers stay those of the Word file
}


class ConversionError(Exception):
    """The PDF could not be made; the message says why."""


class Unavailable(ConversionError):
    """LibreOffice is not installed (or LIBREOFFICE_BINARY names nothing runnable)."""


def binary():
    """The path of the LibreOffice program, or None when there is none."""
    configured = getattr(settings, "LIBREOFFICE_BINARY", "")
    if configured:
        return shutil.which(configured)
    return shutil.which("soffice") or shutil.which("libreoffice")


def available():
    """Is LibreOffice there to convert briefings?"""
    return binary() is not None


def unavailable_reason():
    configured = getattr(settings, "LIBREOFFICE_BINARY", "")
    if configured:
        return f"LIBREOFFICE_BINARY ({configured}) is not an installed program."
    return "LibreOffice (soffice) is not installed on the worker."


def timeout():
    return float(getattr(settings, "BRIEFING_PDF_TIMEOUT", DEFAULT_TIMEOUT))


def export_filter():
    """The --convert-to argument: PDF export with FILTER_OPTIONS as JSON."""
    options = {
        name: {"type": "boolean", "value": "true" if value else "false"}
        for name, value in FILTER_OPTIONS.items()
    }
    return "pdf:writer_pdf_Export:" + json.dumps(options, separators=(",", ":"))


def convert(docx, *, seconds=None):
    """The PDF bytes of ``docx`` (the bytes of a .docx file). Raises Unavailable without
    LibreOffice and ConversionError, with the reason, when no PDF comes out."""
    program = binary()
    if not program:
        raise Unavailable(unavailable_reason())
    if not docx.startswith(b"PK"):
        raise ConversionError("This is not a Word (.docx) file.")
    seconds = timeout() if seconds is None else seconds
    with tempfile.TemporaryDirectory(prefix="liaise-pdf-") as tmp:
        folder = Path(tmp)
        source = folder / "briefing.docx"
        source.write_bytes(docx)
        out = folder / "out"
        command = [
            program,
            "--headless",
            "--norestore",
            "--nologo",
            "--nolockcheck",
            f"-env:UserInstallation={(folder / 'profile').as_uri()}",
            f"--infilter={INPUT_FILTER}",
            "--convert-to",
            export_filter(),
            "--outdir",
            str(out),
            str(source),
        ]
        code, output = _run(command, folder, seconds)
        if code != 0:
            raise ConversionError(f"LibreOffice stopped with exit status {code}: {output}")
        target = out / "briefing.pdf"
        body = target.read_bytes() if target.exists() else b""
        if not body.startswith(b"%PDF-"):
            raise ConversionError(f"LibreOffice wrote no PDF: {output or 'no message'}")
        return body


def _run(command, folder, seconds):
    """Run LibreOffice; (exit status, what it said). soffice is a script that starts
    soffice.bin: on timeout the whole process group is killed, not only the script."""
    try:
        process = subprocess.Popen(  # noqa: S603  (a fixed command, no shell)
            command,
            cwd=folder,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    except OSError as exc:  # removed between which() and now, or not executable
        raise Unavailable(f"LibreOffice could not be started: {exc}") from exc
    try:
        output, _ = process.communicate(timeout=seconds)
    except subprocess.TimeoutExpired:
        _kill(process)
        process.communicate()
        raise ConversionError(
            f"LibreOffice took longer than {seconds:g} s (BRIEFING_PDF_TIMEOUT) and was stopped."
        ) from None
    except BaseException:
        _kill(process)
        process.communicate()
        raise
    finally:
        _kill(process)  # whatever it left running (it should have left nothing)
    return process.returncode, _message(output)


def _kill(process):
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _message(output):
    """What LibreOffice said, without its noise, shortened."""
    lines = output.decode("utf-8", "replace").splitlines()
    kept = [line.strip() for line in lines if line.strip() and "javaldx" not in line]
    text = " ".join(kept)
    return text if len(text) <= 500 else text[:500] + "…"
