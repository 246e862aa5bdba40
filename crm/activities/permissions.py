from django.utils.translation import gettext_lazy as _

from crm.core.permissions import MARKETING, SALES_MANAGER, SALES_REP, SERVICE, registry

registry.register_crud("activities", _("activity records"))
for _role in (SALES_MANAGER, SALES_REP, SERVICE, MARKETING):
    registry.grant(_role, "activities.")
