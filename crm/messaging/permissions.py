"""Permission codes of messaging (the admin role holds every code)."""

from django.utils.translation import gettext_lazy as _

from crm.core.permissions import registry

MODULES = {
    "messaging.channel": _("channels"),
    "messaging.webhook": _("webhooks"),
    "messaging.template": _("message templates"),
    "messaging.mass_send": _("mass sends"),
    "messaging.suppression": _("suppression list"),
}
for _module, _label in MODULES.items():
    registry.register_crud(_module, _label)
registry.register("messaging.delivery.view", _("view message deliveries"), "messaging.delivery")
