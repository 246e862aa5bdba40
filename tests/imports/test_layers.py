"""The import engine's shape: apps own their resources, domain rules stay in their apps.

``crm/imports`` is the engine (jobs, formats, COPY writer, backup): it imports
no domain app. Each app keeps its resources (``crm/<app>/resources.py``) and
registers them from its ``AppConfig.ready``; the resources reach reminders and
number sequences through the owning app's bulk services, never a copy of them.
"""

from __future__ import annotations

import ast
from pathlib import Path

from crm.customers.resources import CustomerResource, LeadResource
from crm.imports import resources
from crm.sales.resources import ContractResource

ROOT = Path(__file__).resolve().parents[2]
ENGINE = sorted((ROOT / "crm" / "imports").glob("*.py"))
APP_RESOURCES = sorted((ROOT / "crm").glob("*/resources.py"))


def _imports(path: Path) -> list[tuple[str, list[str]]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.append((node.module, [a.name for a in node.names]))
        elif isinstance(node, ast.Import):
            found.extend((a.name, []) for a in node.names)
    return found


def test_the_engine_imports_no_domain_app():
    offenders = [
        f"{path.name}: {module}"
        for path in ENGINE
        for module, _names in _imports(path)
        if module.startswith("crm.") and not module.startswith(("crm.imports", "crm.core"))
    ]
    assert offenders == []


def test_resources_reach_reminders_and_sequences_through_their_apps_services():
    assert APP_RESOURCES, "no crm/<app>/resources.py found"
    offenders = []
    for path in [*ENGINE, *APP_RESOURCES]:
        for module, names in _imports(path):
            if module == "workflows.models" or "NumberSequence" in names:
                offenders.append(f"{path.relative_to(ROOT)}: {module} {names}")
        source = path.read_text(encoding="utf-8")
        if "reminder_rules" in source or "Reminder(" in source:
            offenders.append(f"{path.relative_to(ROOT)}: builds reminders itself")
    assert offenders == []


def test_apps_register_their_own_resources():
    assert resources.get("customers") is CustomerResource
    assert resources.get("leads") is LeadResource
    assert resources.get("contracts") is ContractResource
    modules = {r.__module__ for r in resources.all_resources()}
    assert {"crm.customers.resources", "crm.sales.resources"} <= modules
    assert all(m.startswith("crm.") and m.endswith(".resources") for m in modules), modules
    assert not any(m.startswith("crm.imports") for m in modules)


def test_no_import_module_over_800_lines():
    long = {
        str(p.relative_to(ROOT)): n
        for p in [*ENGINE, *APP_RESOURCES]
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 800
    }
    assert long == {}
