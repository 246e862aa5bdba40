"""The shape of the code: core depends on nothing above it, no module grows past 800 lines.

Static checks over the source tree (no database): they fail when a change breaks
DESIGN.md §2 rules 9 and 10, naming the file and line.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORE = ROOT / "crm" / "core"
# What core may not import: every package above it.
ABOVE_CORE = ("workflows", "tasks", "fixtures")  # fixtures: the demo data loads every app
MAX_LINES = 800


def _domain_apps() -> set[str]:
    return {
        p.name
        for p in (ROOT / "crm").iterdir()
        if p.is_dir() and p.name != "core" and (p / "__init__.py").exists()
    }


def _imported_modules(tree: ast.AST, module: str) -> list[tuple[int, str]]:
    """(line, dotted name) of every import, relative imports resolved against ``module``."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = module.split(".")[: -node.level]
                base = ".".join([*parent, base] if base else parent)
            # ``from crm import sales`` imports the package crm.sales.
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
            found.append((node.lineno, base))
    return found


def _forbidden(name: str, domains: set[str]) -> bool:
    parts = name.split(".")
    if parts[0] in ABOVE_CORE:
        return True
    return len(parts) > 1 and parts[0] == "crm" and parts[1] in domains


def core_layer_violations(root: Path = CORE) -> list[str]:
    domains = _domain_apps()
    problems = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(ROOT)
        module = ".".join(rel.with_suffix("").parts)
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(rel))
        for line, name in _imported_modules(tree, module):
            if _forbidden(name, domains):
                problems.append(f"{rel}:{line} imports {name}")
    return sorted(set(problems))


def test_core_imports_no_domain_app_nor_workflows_nor_tasks():
    assert core_layer_violations() == []


def test_the_layer_check_sees_every_kind_of_import(tmp_path):
    """The walker catches plain, from, nested (inside a function) and relative imports."""
    pkg = tmp_path / "crm" / "core"
    pkg.mkdir(parents=True)
    source = (
        "import workflows.engine\n"
        "from crm.sales.models import Contract\n"
        "from crm import customers\n"
        "def f():\n"
        "    from tasks.broker import ping\n"
        "from ..imports import formats\n"
        "from crm.core.models import User\n"
        "import django\n"
    )
    tree = ast.parse(source)
    names = [name for _, name in _imported_modules(tree, "crm.core.x")]
    domains = {"sales", "customers", "imports"}
    bad = sorted({n for n in names if _forbidden(n, domains)})
    assert bad == [
        "crm.customers",
        "crm.imports",
        "crm.imports.formats",
        "crm.sales.models",
        "crm.sales.models.Contract",
        "tasks.broker",
        "tasks.broker.ping",
        "workflows.engine",
    ]
    assert not _forbidden("crm.core.models", domains)
    assert not _forbidden("django", domains)


def test_no_module_over_800_lines():
    too_long = []
    for top in ("crm", "workflows", "tasks"):
        for path in sorted((ROOT / top).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            lines = len(path.read_text(encoding="utf-8").splitlines())
            if lines > MAX_LINES:
                too_long.append(f"{path.relative_to(ROOT)}: {lines} lines")
    assert too_long == []


def test_core_registers_no_modules_settings():
    """Tenant settings are registered by the module they belong to (the lead and
    pool settings by crm.customers), never by core itself."""
    tree = ast.parse((CORE / "tenant_settings.py").read_text(encoding="utf-8"))
    calls = [
        node.value.func.id
        for node in tree.body
        if isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Call)
        and isinstance(node.value.func, ast.Name)
    ]
    assert "register" not in calls

    from crm.core import tenant_settings

    for key in ("lead_first_contact_sla_hours", "pool_idle_days", "daily_claim_cap"):
        assert key in tenant_settings.DEFAULTS, key


def test_registered_settings_rules_are_checked():
    from django.utils import translation

    from crm.core import tenant_settings

    with translation.override("en"):
        errors = tenant_settings.settings_errors({"pool_warning_days": 30, "pool_idle_days": 30})
    assert errors == {"pool_warning_days": ["The warning must come before the return to the pool."]}
    tenant_settings.register_check("test.rule", lambda values: {"daily_claim_cap": ["no"]})
    try:
        assert tenant_settings.settings_errors({"daily_claim_cap": 5}) == {
            "daily_claim_cap": ["no"]
        }
    finally:
        tenant_settings._CHECKS.pop("test.rule")
