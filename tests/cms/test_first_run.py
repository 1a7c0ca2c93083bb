"""`make run` on a machine without a suitable Python says which one it needs and how to name
one with PYTHON=, and creates nothing; cms/requires_python.py reads pyproject.toml's range."""

import subprocess
import sys
import tempfile
from pathlib import Path

from django.test import SimpleTestCase

from cms import requires_python
from tests.subprocess_env import ROOT, child_env


def make_install(tmp, **variables):
    """`make install` into a virtual environment under ``tmp``; (exit status, output)."""
    args = [f"{name}={value}" for name, value in variables.items()]
    result = subprocess.run(
        ["make", "--no-print-directory", "install", f"VENV={tmp}/venv", *args],
        cwd=ROOT,
        env=child_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return result.returncode, result.stdout + result.stderr


class RequiresPythonTestCase(SimpleTestCase):
    def test_the_range_is_read_from_pyproject(self):
        spec = requires_python.requires_python()
        self.assertIn(">=3.11", spec)
        # The interpreter running the suite is one the project accepts.
        self.assertTrue(requires_python.fits(spec, sys.version_info[:3]))

    def test_each_clause_counts(self):
        self.assertTrue(requires_python.fits(">=3.11,<3.12", (3, 11, 7)))
        self.assertFalse(requires_python.fits(">=3.11,<3.12", (3, 12, 1)))
        self.assertFalse(requires_python.fits(">=3.11,<3.12", (3, 10, 13)))
        self.assertTrue(requires_python.fits(">=3.11", (3, 13, 0)))
        self.assertFalse(requires_python.fits("", (3, 11, 0)))

    def test_the_script_answers_with_its_exit_status(self):
        script = str(ROOT / "cms" / "requires_python.py")
        ok = subprocess.run([sys.executable, script], check=False)
        self.assertEqual(ok.returncode, 0)
        described = subprocess.run(
            [sys.executable, script, "--describe"], capture_output=True, text=True, check=False
        )
        self.assertEqual(described.stdout.strip(), requires_python.requires_python())


class NoSuitablePythonTestCase(SimpleTestCase):
    def test_none_found_names_python_and_creates_nothing(self):
        with tempfile.TemporaryDirectory() as tmp:
            status, output = make_install(
                tmp, PYTHON_CANDIDATES="no-such-python3.11 no-such-python3"
            )
            self.assertNotEqual(status, 0)
            self.assertIn("Liaise needs Python 3.11 or newer", output)
            self.assertIn("make run PYTHON=/path/to/python", output)
            self.assertFalse(Path(tmp, "venv").exists())

    def test_an_unsuitable_python_given_is_refused_by_name(self):
        with tempfile.TemporaryDirectory() as tmp:
            status, output = make_install(tmp, PYTHON="/no/such/python")
            self.assertNotEqual(status, 0)
            self.assertIn("PYTHON=/no/such/python is not a Python that Liaise can use", output)
            self.assertIn(requires_python.requires_python(), output)
            self.assertFalse(Path(tmp, "venv").exists())
