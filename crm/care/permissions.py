from django.utils.translation import gettext_lazy as _

from crm.core.permissions import SALES_MANAGER, SALES_REP, SERVICE, registry

registry.register_crud("care.rule", _("care rules"))
registry.register_crud("care.birthday", _("lunar birthdays of contacts"))
CALENDAR = registry.register("care.calendar", _("view the care calendar"), "care.rule")

registry.grant(SALES_MANAGER, "care.")
registry.grant(SERVICE, "care.")
registry.grant(SALES_REP, CALENDAR, "care.birthday.")
registry.deny(SALES_REP, "care.birthday.delete")
