from django.utils.translation import gettext_lazy as _

from crm.core.permissions import registry

registry.register_crud("activities", _("activity records"))
