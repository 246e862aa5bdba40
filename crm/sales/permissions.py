"""Permission codes of the sales module and the default roles' grants."""

from django.utils.translation import gettext_lazy as _

from crm.core.permissions import SALES_MANAGER, SALES_REP, registry

MODULES = {
    "sales.product": _("products"),
    "sales.opportunity": _("opportunities"),
    "sales.requirement": _("requirements"),
    "sales.solution": _("solutions"),
    "sales.quote": _("quotes"),
    "sales.contract": _("contracts"),
    "sales.payment": _("payments"),
    "sales.approval_band": _("approval bands"),
}
for _module, _label in MODULES.items():
    registry.register_crud(_module, _label)

APPROVE = registry.register("sales.contract.approve", _("approve contracts"), "sales.contract")
APPROVE_LARGE = registry.register(
    "sales.contract.approve_large", _("approve large contracts"), "sales.contract"
)

_TRANSITIONS = (
    "transition:opportunity.",
    "transition:quote.",
    "transition:contract.",
    "transition:payment.",
)

# Managers: everything in sales incl. approving (large contracts stay with the admin).
registry.grant(SALES_MANAGER, "sales.", *_TRANSITIONS)
registry.deny(
    SALES_MANAGER,
    "sales.contract.approve_large",
    "sales.approval_band.create",
    "sales.approval_band.edit",
    "sales.approval_band.delete",
)

# Reps: view/create/edit and their own transitions, never approve or reopen.
registry.grant(SALES_REP, *_TRANSITIONS)
for _module in MODULES:
    if _module != "sales.approval_band":
        registry.grant(SALES_REP, f"{_module}.view", f"{_module}.create", f"{_module}.edit")
registry.grant(SALES_REP, "sales.approval_band.view")
registry.deny(
    SALES_REP,
    "sales.contract.approve",  # also matches approve_large
    "transition:quote.approve",
    "transition:contract.approve",
    "transition:opportunity.reopen",
)
