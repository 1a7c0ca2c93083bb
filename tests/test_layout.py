"""The layout's rules, read from the source: which part may import which, which builders are
pure, where admin hooks are registered. A change that breaks one fails here with the file."""

import ast
from pathlib import Path

from django.test import SimpleTestCase

ROOT = Path(__file__).resolve().parent.parent
PURE = [  # no Django, no database: plain data in, bytes out
    "liaison/calendars/vtimezone.py",
    "liaison/calendars/ics_writer.py",
    "liaison/briefings/docx_writer.py",
    "liaison/briefings/document.py",
    "liaison/meetings/checks.py",
    "liaison/asks/ledger.py",
]


def modules(folder):
    return sorted(p for p in (ROOT / folder).rglob("*.py") if "migrations" not in p.parts)


def imports(path):
    """Every module ``path`` imports, at the top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def offenders(folder, prefixes):
    """{file: imports naming one of ``prefixes`` (dotted)} for the modules under ``folder``."""
    found = {}
    for path in modules(folder):
        bad = sorted(
            name
            for name in imports(path)
            if any(name == p or name.startswith(p + ".") for p in prefixes)
        )
        if bad:
            found[str(path.relative_to(ROOT))] = bad
    return found


class ImportsRunOneWayTestCase(SimpleTestCase):
    def test_advocacy_never_imports_liaison(self):
        self.assertEqual(offenders("advocacy", ["liaison"]), {})

    def test_advocacy_templates_do_not_load_liaison_tags(self):
        loading = [
            str(path.relative_to(ROOT))
            for path in (ROOT / "templates" / "advocacy").rglob("*.html")
            if "liaison_tags" in path.read_text()
        ]
        self.assertEqual(loading, [])

    def test_meetings_know_nothing_of_calendars_or_briefings(self):
        forbidden = ["liaison.calendars", "liaison.briefings"]
        self.assertEqual(offenders("liaison/meetings", forbidden), {})

    def test_calendars_and_briefings_do_not_import_each_other(self):
        self.assertEqual(offenders("liaison/calendars", ["liaison.briefings"]), {})
        self.assertEqual(offenders("liaison/briefings", ["liaison.calendars"]), {})

    def test_meetings_know_nothing_of_asks(self):
        # The ledger builds on meetings; meetings name it only as strings (a relation, a panel).
        self.assertEqual(offenders("liaison/meetings", ["liaison.asks"]), {})

    def test_asks_know_nothing_of_calendars_or_briefings(self):
        forbidden = ["liaison.calendars", "liaison.briefings"]
        self.assertEqual(offenders("liaison/asks", forbidden), {})

    def test_the_visibility_rule_depends_only_on_the_models(self):
        liaison = {n for n in imports(ROOT / "liaison/visibility.py") if n.startswith("liaison")}
        models = ("liaison.meetings.models", "liaison.asks.models")
        self.assertEqual({n for n in liaison if not n.startswith(models)}, set())

    def test_the_shared_cms_modules_import_neither_app(self):
        shared = [
            "cms/emails.py",
            "cms/outbox.py",
            "cms/models.py",
            "cms/cache.py",
            "cms/ratelimit.py",
            "cms/clients.py",
            "cms/error_reports.py",
            "cms/validators.py",
        ]
        for name in shared:
            with self.subTest(module=name):
                apps = {
                    n for n in imports(ROOT / name) if n.split(".")[0] in ("advocacy", "liaison")
                }
                self.assertEqual(apps, set())


class PureBuildersTestCase(SimpleTestCase):
    def test_the_writers_import_no_django(self):
        pure_modules = {p.removesuffix(".py").replace("/", ".") for p in PURE}
        for name in PURE:
            with self.subTest(module=name):
                found = imports(ROOT / name)
                self.assertEqual({n for n in found if n.split(".")[0] == "django"}, set())
                local = {n for n in found if n.split(".")[0] == "liaison"}
                # Only other pure modules (and names inside them).
                self.assertEqual(
                    {n for n in local if not any(n.startswith(m) for m in pure_modules)}, set()
                )


class AdminRegistrationTestCase(SimpleTestCase):
    def test_liaison_registers_admin_hooks_in_wagtail_hooks_only(self):
        registering = [
            str(path.relative_to(ROOT))
            for path in modules("liaison")
            if "hooks.register(" in path.read_text() and path.name != "wagtail_hooks.py"
        ]
        self.assertEqual(registering, [])
