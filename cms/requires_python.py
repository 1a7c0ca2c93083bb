"""Does this interpreter suit Liaise? Exit status 0 if its version meets pyproject.toml's
``requires-python`` (e.g. ">=3.11,<3.12"), 1 if not; ``--describe`` prints that range.

The Makefile runs it with each candidate interpreter to pick the one for .venv. It needs no
Django and nothing installed: a Python older than 3.11 has no tomllib, and fails here."""

import re
import sys
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"
COMPARE = {
    ">=": lambda have, want: have >= want,
    ">": lambda have, want: have > want,
    "<=": lambda have, want: have <= want,
    "<": lambda have, want: have < want,
    "==": lambda have, want: have == want,
    "!=": lambda have, want: have != want,
}


def requires_python():
    """The ``requires-python`` of pyproject.toml, as written."""
    import tomllib

    with PYPROJECT.open("rb") as file:
        return tomllib.load(file)["project"]["requires-python"]


def fits(spec, version):
    """Whether ``version`` (a tuple such as (3, 11, 7)) meets every clause of ``spec``."""
    clauses = re.findall(r"(>=|<=|==|!=|>|<)\s*(\d+(?:\.\d+)*)", spec)
    for operator, wanted in clauses:
        want = tuple(int(part) for part in wanted.split("."))
        if not COMPARE[operator](tuple(version[: len(want)]), want):
            return False
    return bool(clauses)


if __name__ == "__main__":
    try:
        spec = requires_python()
    except ImportError:  # no tomllib: older than 3.11
        sys.exit(1)
    if sys.argv[1:] == ["--describe"]:
        print(spec)  # noqa: T201
        sys.exit(0)
    sys.exit(0 if fits(spec, sys.version_info[:3]) else 1)
