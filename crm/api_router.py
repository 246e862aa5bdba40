"""Every collection of /api/v1/, registered once (tests walk this router).

Each domain module registers its own viewsets from ``crm/<app>/api.py``
(``register_routes``), so adding a module does not touch this file's body.
"""

from importlib import import_module

from rest_framework.routers import DefaultRouter

from crm.activities.api import ActivityViewSet, NotificationViewSet
from crm.core.api.credentials import ApiTokenViewSet, UserSessionViewSet
from crm.core.api.saved_views import SavedViewViewSet
from crm.core.api.views import DictionaryViewSet, RoleViewSet, TeamViewSet, UserViewSet
from crm.customers.api import ContactViewSet, CustomerViewSet, LeadViewSet

MODULES = (
    "crm.customers.rules_api",
    "crm.customers.groups_api",
    "crm.customers.lead_forms_api",
    "crm.sales.api",
    "crm.service.api",
    "crm.marketing.api",
    "crm.messaging.api",
    "crm.office.api",
    "crm.activities.work_api",
    "crm.imports.api",
    "crm.reports.api",
    "crm.reports.customers_api",
    "crm.reports.marketing_api",
    "crm.reports.targets_api",
    "crm.care.api",
    "crm.targets.api",
    "workflows.process_api",
    "crm.sync.api",
    "crm.core.api.choices",  # last: reads the collections registered above
)

router = DefaultRouter()
router.register("users", UserViewSet, basename="user")
router.register("roles", RoleViewSet, basename="role")
router.register("teams", TeamViewSet, basename="team")
router.register("dictionary", DictionaryViewSet, basename="dictionary")
router.register("customers", CustomerViewSet, basename="customer")
router.register("contacts", ContactViewSet, basename="contact")
router.register("leads", LeadViewSet, basename="lead")
router.register("activities", ActivityViewSet, basename="activity")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("me/tokens", ApiTokenViewSet, basename="me-token")
router.register("me/sessions", UserSessionViewSet, basename="me-session")
router.register("saved-views", SavedViewViewSet, basename="saved-view")

extra_urlpatterns = []
for _module in MODULES:
    extra_urlpatterns += import_module(_module).register_routes(router) or []
