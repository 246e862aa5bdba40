"""Permission codes of the marketing module and the default roles' grants.

Roles: 市场 (marketing) runs events and placements and requests goods; 库管
(the stock keeper, a role this module seeds at sign-up) keeps stock, issues
approved requisitions and confirms receipts, adjustments and returns; 销售经理
(the manager) approves requisitions.
"""

from django.utils.translation import gettext_lazy as _

from crm.core.permissions import MARKETING, SALES_MANAGER, registry

STOCK_KEEPER = "库管"

MODULES = {
    "marketing.stock_item": _("stock items"),
    "marketing.stock_receipt": _("stock receipts"),
    "marketing.stock_adjustment": _("stock adjustments"),
    "marketing.requisition": _("requisitions"),
    "marketing.stock_return": _("stock returns"),
    "marketing.event": _("marketing events"),
    "marketing.ad_placement": _("ad placements"),
    "marketing.campaign": _("campaigns"),
}
for _module, _label in MODULES.items():
    registry.register_crud(_module, _label)
registry.register(
    "marketing.stock_movement.view", _("view stock movements"), "marketing.stock_movement"
)
# The marketing reports (/api/v1/reports/marketing/..., queries in crm/reports).
REPORTS = registry.register(
    "marketing.reports",
    _("view marketing reports (stock on hand, movements, requisitions, event and channel ROI)"),
    "reports",
)

registry.grant(STOCK_KEEPER, "users.view", "teams.view", "audit.view")
registry.grant(
    STOCK_KEEPER,
    "marketing.stock_item.",
    "marketing.stock_movement.",
    "marketing.stock_receipt.",
    "marketing.stock_adjustment.",
    "marketing.stock_return.",
    "marketing.requisition.view",
    "marketing.event.view",
    "transition:stock_receipt.",
    "transition:stock_adjustment.",
    "transition:stock_return.",
    "transition:requisition.issue",
    REPORTS,
)

registry.grant(
    MARKETING,
    "marketing.stock_item.view",
    "marketing.stock_movement.view",
    "marketing.requisition.",
    "marketing.stock_return.view",
    "marketing.stock_return.create",
    "marketing.stock_return.edit",
    "marketing.event.",
    "marketing.ad_placement.",
    "marketing.campaign.",
    "transition:campaign.",
    "transition:requisition.submit",
    "transition:requisition.cancel",
    "transition:marketing_event.",
    REPORTS,
)

registry.grant(
    SALES_MANAGER,
    "marketing.stock_item.view",
    "marketing.requisition.view",
    "marketing.event.view",
    "marketing.ad_placement.view",
    "marketing.campaign.view",
    "transition:requisition.approve",
    "transition:requisition.return",
    REPORTS,
)
