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

    def register(self, code: str, label: str | Promise, module: str) -> str:
        self._codes[code] = PermissionCode(code, label, module)
        return code

    def register_crud(self, module: str, label: str | Promise) -> None:
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
