from django.utils.translation import gettext_lazy as _

from crm.core.permissions import registry

registry.register_crud("customers", _("customers"))
registry.register_crud("contacts", _("contacts"))
registry.register_crud("leads", _("leads"))
