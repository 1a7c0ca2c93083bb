"""Read an .ics file with ical.js, Thunderbird's parser, through node (tests/js/parse.mjs).

ical.js reads time zones only from the file's own VTIMEZONEs, so a missing or wrong
VTIMEZONE shows up as a wrong instant or as ``"zone": "floating"``.
"""

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "parse.mjs"
INSTALL = "npm ci --prefix tests/js"


def parse(data):
    """``{"method", "zones", "events": [{uid, sequence, status, summary, location,
    description, zone, start, end}]}`` for the calendar ``data`` (bytes); start and end are
    UTC ISO strings such as ``2026-07-10T16:00:00.000Z``."""
    node = shutil.which("node")
    if node is None:
        raise AssertionError(
            f"Node.js is not installed: install node and npm, then run `{INSTALL}`."
        )
    if not (HERE / "node_modules" / "ical.js").is_dir():
        raise AssertionError(f"ical.js is not installed: run `{INSTALL}` from the project root.")
    with tempfile.NamedTemporaryFile(suffix=".ics") as file:
        file.write(data)
        file.flush()
        result = subprocess.run(
            [node, str(SCRIPT), file.name],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    if result.returncode:
        raise AssertionError(f"ical.js could not read the calendar:\n{result.stderr}")
    return json.loads(result.stdout)
