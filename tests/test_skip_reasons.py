"""Every conditional skip says what the test needs and why (shown by ``pytest -rs``).

A fresh clone runs the suite on SQLite: the tests that need PostgreSQL or Redis
are skipped there, and the summary must tell the reader how to run them.
"""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).parent


def _reason(call: ast.Call) -> str:
    for keyword in call.keywords:
        if keyword.arg == "reason":
            try:
                value = ast.literal_eval(keyword.value)
            except ValueError:
                return ""
            return value if isinstance(value, str) else ""
    return ""


def test_every_skipif_says_what_it_needs_and_why():
    unexplained = []
    for path in TESTS.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr == "skipif":
                reason = _reason(node)
                # "needs X (how to get it): why" -- e.g. PostgreSQL for row locks
                if not (reason.startswith("needs ") and ":" in reason):
                    unexplained.append(f"{path.relative_to(TESTS)}:{node.lineno} {reason!r}")
    assert unexplained == []
