from django.utils.translation import gettext_lazy as _

from crm.core.permissions import SALES_MANAGER, SALES_REP, registry

SALES_REPORTS = registry.register(
    "reports.sales", _("view sales reports (funnel, receivables, won deals)"), "reports"
)
registry.grant(SALES_MANAGER, SALES_REPORTS)
registry.grant(SALES_REP, SALES_REPORTS)

CUSTOMER_REPORTS = registry.register(
    "reports.customers",
    _("view customer reports (distribution, new customers, idle customers, pool flows)"),
    "reports",
)
registry.grant(SALES_MANAGER, CUSTOMER_REPORTS)
registry.grant(SALES_REP, CUSTOMER_REPORTS)

USAGE = registry.register(
    "reports.usage", _("view usage statistics (active users, sign-ins, storage)"), "reports"
)
