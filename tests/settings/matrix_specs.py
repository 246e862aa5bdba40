"""Permission-matrix entries for the system settings endpoints (modules, menu, company
profile and logo); hooked into ``tests/reliability/specs.py`` with one line."""

from __future__ import annotations

from tests.reliability.specs import PATHS, PathSpec

PATHS["modules"] = {
    "get": PathSpec(),
    "patch": PathSpec(code="settings.edit", body=lambda ctx: {"marketing": True}),
}
PATHS["menu"] = {"get": PathSpec()}
PATHS["company"] = {
    "get": PathSpec(),
    "patch": PathSpec(code="settings.edit", body=lambda ctx: {"short_name": "商慧"}),
}
# A company without a logo answers 404 to everyone of it (the upload: test_company.py).
PATHS["company-logo"] = {"get": PathSpec(status=404)}
