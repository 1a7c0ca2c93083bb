import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django refuses ORM calls from a
# thread with a running loop unless told this is safe (microsoft/playwright-pytest #29).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


@pytest.fixture(scope="session", autouse=True)
def _database_inside_playwright(playwright, django_db_setup):
    """Create the test database after Playwright has started.

    Playwright's sync API keeps an asyncio loop running in this thread, and Django then
    keeps its connections per async context rather than per thread. Setting the database
    up in the same context as the tests gives them the connection that holds the
    snapshot serialized_rollback restores after each test. That is also why these tests
    run in a pytest session of their own (`pytest -m browser`).
    """
    from django.db import connection

    if not hasattr(connection, "_test_serialized_contents"):
        pytest.fail("Run the browser tests in their own session: pytest -m browser")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not CHROMIUM:
        message = "Chromium is not installed (apt-get install chromium, or set CHROMIUM_PATH)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{message}; CI must run the browser tests.")
        pytest.skip(message)
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-dev-shm-usage",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture
def screenshot(page):
    """Save a full-page screenshot under var/screenshots/ for a person to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(name):
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


# Runs in every frame before the page's own scripts; Playwright's scripts are not subject
# to the page's policy.
WATCH = """
document.addEventListener("securitypolicyviolation", (event) => {
    window.reportCspViolation({
        page: location.href,
        directive: event.effectiveDirective,
        blocked: event.blockedURI,
        source: event.sourceFile,
        line: event.lineNumber,
        sample: event.sample,
    });
});
"""


def mentions_csp(text):
    return "Content Security Policy" in text or "Content-Security-Policy" in text


@pytest.fixture
def csp_violations(page):
    """Content-Security-Policy violations the page reports, logs or raises (a list the
    test asserts is empty)."""
    found = []

    def report(violation):
        found.append(violation)

    page.expose_function("reportCspViolation", report)
    page.add_init_script(WATCH)
    page.on(
        "console",
        lambda message: (
            found.append({"page": page.url, "console": message.text})
            if mentions_csp(message.text)
            else None
        ),
    )
    page.on(
        "pageerror",
        lambda error: (
            found.append({"page": page.url, "error": str(error)})
            if mentions_csp(str(error))
            else None
        ),
    )
    return found
