from django.utils.translation import gettext_lazy as _

from crm.core.permissions import SALES_MANAGER, registry

registry.register("imports.view", _("view import jobs"), "imports")
registry.register("imports.create", _("import data and revert imports"), "imports")
registry.register("imports.export", _("export lists"), "imports")
registry.register("imports.backup", _("download a full backup and restore it"), "imports")

# The admin role holds every code; managers may export their lists.
registry.grant(SALES_MANAGER, "imports.export")
