"""`make run` is one process: `serve --migrate --demo` migrates a new database, loads the demo
data and serves it, printing its two steps and then the banner, without Wagtail's line per
page in between."""

import signal
import subprocess
import urllib.request

from tests.cms.test_serve import free_port, wait_for_health
from tests.subprocess_env import PYTHON, ROOT, child_env


def test_serve_migrates_seeds_and_serves_a_new_database(tmp_path):
    port = free_port()
    env = child_env(
        DJANGO_SETTINGS_MODULE="cms.settings.dev",
        DATABASE_URL=f"sqlite:///{tmp_path / 'new.sqlite3'}",
        LIAISE_VAR_DIR=str(tmp_path / "var"),
        PORT=str(port),
    )
    process = subprocess.Popen(
        [PYTHON, "manage.py", "serve", "--migrate", "--demo"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        assert wait_for_health(port, process, seconds=240) == 200
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as response:
            home = response.read().decode()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/positions/", timeout=10) as r:
            positions = r.read().decode()
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()

    # The demo society's site, with its positions, from a database that did not exist.
    assert "Society for Cell and Gene Therapy Policy" in home, home[:500]
    assert "Potency assays for cell and gene therapy products" in positions

    lines = output.splitlines()
    migrating = lines.index("Migrating the database…")
    seeded = lines.index("Demo data is in place.")
    banner = lines.index("Liaise is running (web server and background worker).")
    assert migrating < seeded < banner, output
    # Wagtail's "Page created" / "Published" lines are held back while the demo loads.
    between = [line for line in lines[migrating + 1 : banner] if line.strip()]
    assert between == ["Demo data is in place."], output
    assert "Page created" not in output and "Published:" not in output
