"""Permission codes of the office module and the default roles' grants.

Everyone attaches files to the records they may see and reads announcements;
managers write and publish announcements (the admin has every code).
"""

from django.utils.translation import gettext_lazy as _

from crm.core.permissions import MARKETING, SALES_MANAGER, SALES_REP, SERVICE, registry

registry.register_crud("office.attachment", _("attachments"))
registry.register_crud("office.announcement", _("announcements"))
for _role in (SALES_MANAGER, SALES_REP, SERVICE, MARKETING):
    registry.grant(_role, "office.attachment.", "office.announcement.view")
registry.grant(SALES_MANAGER, "office.announcement.", "transition:announcement.")
