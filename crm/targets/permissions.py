from django.utils.translation import gettext_lazy as _

from crm.core.permissions import SALES_MANAGER, SALES_REP, registry

registry.register_crud("targets", _("sales targets"))
REPORT = registry.register("targets.report", _("view target attainment"), "targets")

registry.grant(SALES_MANAGER, "targets.")
registry.grant(SALES_REP, "targets.view", REPORT)
