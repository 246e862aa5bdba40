from django.utils.translation import gettext_lazy as _

from crm.core.permissions import (
    MARKETING,
    SALES_MANAGER,
    SALES_REP,
    SERVICE,
    registry,
)

registry.register_crud("customers", _("customers"))
registry.register_crud("contacts", _("contacts"))
registry.register_crud("leads", _("leads"))
registry.register_crud("assignment_rules", _("assignment rules and pool rules"))
registry.register_crud("customer_groups", _("customer groups"))
registry.register_crud("lead_forms", _("lead forms"))

_SALES = ("customers.", "contacts.", "leads.", "transition:lead.", "transition:customer.")
registry.grant(SALES_MANAGER, *_SALES, "assignment_rules.", "customer_groups.", "lead_forms.")
registry.grant(SALES_REP, *_SALES, "customer_groups.view")
registry.deny(SALES_REP, "customers.delete", "contacts.delete", "leads.delete")
registry.grant(SERVICE, "customers.view", "contacts.")
registry.grant(
    MARKETING,
    "leads.view",
    "leads.create",
    "leads.edit",
    "customers.view",
    "customer_groups.view",
    "lead_forms.",
    "transition:lead.disqualify",
    "transition:lead.pool",
)
