"""Permission codes of the activities module and the default roles' grants.

Everyone who works with customers logs activities, keeps a calendar, gives and
takes tasks and writes plans; the transitions are theirs too (the guards keep a
task to its assignee and assigner, a plan's review to the owner's team leader).
"""

from django.utils.translation import gettext_lazy as _

from crm.core.permissions import MARKETING, SALES_MANAGER, SALES_REP, SERVICE, registry

registry.register_crud("activities", _("activity records"))
registry.register_crud("activities.task", _("tasks"))
registry.register_crud("activities.event", _("calendar events"))
registry.register_crud("activities.plan", _("work plans"))
for _role in (SALES_MANAGER, SALES_REP, SERVICE, MARKETING):
    registry.grant(_role, "activities.", "transition:task.", "transition:event.")
    registry.grant(_role, "transition:plan.submit")
registry.grant(SALES_MANAGER, "transition:plan.review")
