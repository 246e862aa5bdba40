from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from crm.api_router import extra_urlpatterns, router
from crm.core import spa
from crm.core.api import company as core_company
from crm.core.api import modules as core_modules
from crm.core.api import views as core_views
from crm.core.api.audit import AuditViewSet
from crm.core.api.invitations import InvitationAcceptView, InvitationView
from crm.core.api.password import PasswordChangeView
from crm.core.api.profile import AvatarView
from crm.core.health import health
from crm.core.manual import manual
from crm.customers.public_form import lead_form_page

api_v1 = [
    path("signup/", core_views.SignupView.as_view(), name="signup"),
    path("auth/token/", core_views.TokenView.as_view(), name="auth-token"),
    path("auth/login/", core_views.SessionLoginView.as_view(), name="auth-login"),
    path("auth/logout/", core_views.SessionLogoutView.as_view(), name="auth-logout"),
    path("me/", core_views.MeView.as_view(), name="me"),
    path("me/password/", PasswordChangeView.as_view(), name="me-password"),
    path("me/avatar/", AvatarView.as_view(), name="me-avatar"),
    path("invitations/<str:key>/", InvitationView.as_view(), name="invitation"),
    path("invitations/<str:key>/accept/", InvitationAcceptView.as_view(), name="invitation-accept"),
    path("settings/", core_views.TenantSettingsView.as_view(), name="tenant-settings"),
    path(
        "settings/fields/",
        core_views.TenantSettingFieldsView.as_view(),
        name="tenant-setting-fields",
    ),
    path("modules/", core_modules.ModulesView.as_view(), name="modules"),
    path("menu/", core_modules.MenuView.as_view(), name="menu"),
    path("company/", core_company.CompanyView.as_view(), name="company"),
    path("company/logo/", core_company.CompanyLogoView.as_view(), name="company-logo"),
    path("audit/", AuditViewSet.as_view({"get": "list"}), name="audit-list"),
    path("audit/export/", AuditViewSet.as_view({"get": "export"}), name="audit-export"),
    *extra_urlpatterns,
    path("", include(router.urls)),
]

urlpatterns = [
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
    path("health/", health, name="health"),
    path("f/<str:public_key>/", lead_form_page, name="lead-form-page"),
    path("admin/", admin.site.urls),
    # The user manual (manual/, built by `make run`): zh-CN at /docs/, English at /docs/en/.
    re_path(r"^docs(?:/(?P<path>.*))?$", manual, name="manual"),
    # The web app (crm/core/spa.py): every other path that is not an API, admin,
    # static or built-asset path answers with its index.html.
    re_path(r"^(?!api/|admin/|static/|assets/|health/)(?P<path>.*)$", spa.index, name="spa"),
]
