"""`manage.py serve` prints its banner (addresses, the development mailbox, demo logins) last:
after it, only the requests the server answers, until it is stopped."""

import re
import signal
import time
import urllib.request

import pytest

from tests.cms.test_serve import free_port, start_serve, wait_for_health

BANNER_END = "Press Ctrl-C to stop."
STOPPING = "Stopping the web server and the worker…"
# django.server's line for one request: "... INFO django.server: "GET /healthz HTTP/1.1" 200 2"
REQUEST_LINE = re.compile(r'django\.server: "(GET|HEAD) \S+ HTTP/1\.1" \d{3}')


# transaction=True: the test database is set up (pytest-django sets up only the databases
# that some test asks for), and no transaction of this process holds SQLite's write lock
# while the server's worker writes; serialized_rollback leaves the database as the tests
# after this one expect it (content types and all).
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_banner_is_the_last_thing_printed_before_requests():
    port = free_port()
    process = start_serve(port)
    try:
        assert wait_for_health(port, process) == 200
        # Time for the worker's processes to say anything they would say on starting.
        time.sleep(3)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
            assert r.status == 200
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()

    lines = output.splitlines()
    assert BANNER_END in lines, output
    end = lines.index(BANNER_END)
    stop = lines.index(STOPPING)
    start = lines.index("Liaise is running (web server and background worker).")
    banner = lines[start:end]
    assert f"  Public site:   http://127.0.0.1:{port}/" in banner
    assert f"  Admin:         http://127.0.0.1:{port}/admin/" in banner
    mailbox = [line for line in banner if line.strip().startswith("Mailbox:")]
    assert mailbox and f"http://127.0.0.1:{port}/dev/mailbox/" in mailbox[0], banner
    assert any(line.startswith("  admin ") for line in banner), banner

    after = [line for line in lines[end + 1 : stop] if line.strip()]
    assert after, "the two /healthz requests are logged after the banner"
    assert [line for line in after if not REQUEST_LINE.search(line)] == [], output
    # Django's own start-up lines are replaced by the banner, not printed after it.
    assert "Starting development server" not in output
