"""The one registry of permission codes.

Modules register their CRUD codes; each process registers one code per
transition (``transition:<process>.<name>``). Roles hold codes from here only.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class PermissionCode:
    code: str
    label: str | Promise
    module: str


class Registry:
    def __init__(self) -> None:
        self._codes: dict[str, PermissionCode] = {}
        # Default roles: each app grants code prefixes to the roles seeded on sign-up.
        self._grants: dict[str, list[str]] = {}
        self._denies: dict[str, list[str]] = {}
        # What the codes of a group are about ("contracts" for ``sales.contract`` and
        # ``transition:contract``), for the role editor: "合同 · 审批".
        self._group_labels: dict[str, str | Promise] = {}

    def grant(self, role: str, *prefixes: str) -> None:
        """Give a default role every code starting with one of ``prefixes``."""
        self._grants.setdefault(role, []).extend(prefixes)

    def deny(self, role: str, *prefixes: str) -> None:
        """Withhold codes from a default role even if a grant matches them."""
        self._denies.setdefault(role, []).extend(prefixes)

    def default_role_names(self) -> list[str]:
        """The default roles apps grant codes to (core's, and e.g. marketing's 库管)."""
        return list(self._grants)

    def default_codes(self, role: str) -> list[str]:
        """The codes of default role ``role`` (none for a name no app grants to)."""
        grants = self._grants.get(role, [])
        denies = self._denies.get(role, [])
        return [
            c
            for c in self.codes()
            if any(c.startswith(g) for g in grants) and not any(c.startswith(d) for d in denies)
        ]

    def register(self, code: str, label: str | Promise, module: str) -> str:
        self._codes[code] = PermissionCode(code, label, module)
        return code

    def set_group_label(self, module: str, label: str | Promise) -> None:
        self._group_labels[module] = label

    def group_label(self, module: str) -> str:
        """The readable subject of a code group (its module name when none is set)."""
        label = self._group_labels.get(module)
        return str(label) if label is not None else module

    def register_crud(self, module: str, label: str | Promise) -> None:
        self._group_labels.setdefault(module, label)
        verbs = {
            "view": _("view %(module)s"),
            "create": _("create %(module)s"),
            "edit": _("edit %(module)s"),
            "delete": _("delete %(module)s"),
        }
        for verb, text in verbs.items():
            self.register(f"{module}.{verb}", _LazyFormat(text, label), module)

    def codes(self) -> list[str]:
        return sorted(self._codes)

    def items(self) -> list[PermissionCode]:
        return [self._codes[c] for c in self.codes()]

    def __contains__(self, code: object) -> bool:
        return code in self._codes


class _LazyFormat:
    """A label rendered in the active language when turned into a string."""

    def __init__(self, template: Promise, module_label: str | Promise) -> None:
        self.template = template
        self.module_label = module_label

    def __str__(self) -> str:
        return str(self.template) % {"module": str(self.module_label)}


registry = Registry()


def transition_code(process: str, name: str) -> str:
    return f"transition:{process}.{name}"


# Core modules. Domain apps register theirs in their own permissions module.
registry.register_crud("users", _("users"))
registry.register_crud("roles", _("roles"))
registry.register_crud("teams", _("teams"))
registry.register_crud("dictionary", _("dictionary data"))
registry.register("settings.edit", _("edit company settings"), "settings")
registry.register("audit.view", _("view history"), "audit")

# Default roles seeded on sign-up (names are data in the tenant's language).
ADMIN, SALES_MANAGER, SALES_REP, SERVICE, MARKETING = (
    "管理员",
    "销售经理",
    "销售代表",
    "客服",
    "市场",
)
registry.grant(ADMIN, "")  # everything
for _role in (SALES_MANAGER, SALES_REP, SERVICE, MARKETING):
    registry.grant(_role, "users.view", "teams.view", "audit.view")
