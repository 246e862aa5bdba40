"""The Django admin: the operators' (superusers') tool across tenants."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from crm.core.models import AuditEntry, DictionaryItem, Role, Team, Tenant, User


class ReadOnlyAdminMixin:
    """Listed and viewed in the admin, never added, changed or deleted there."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "created_at"]
    search_fields = ["name"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "full_name", "email", "tenant", "team", "is_active"]
    list_filter = ["tenant", "is_active", "is_superuser"]
    list_select_related = ["tenant", "team"]
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        ("CRM", {"fields": ["tenant", "full_name", "team", "roles", "language"]}),
    ]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "tenant", "parent", "leader"]
    list_select_related = ["tenant", "parent", "leader"]


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ["name", "tenant", "data_scope"]
    list_select_related = ["tenant"]


@admin.register(DictionaryItem)
class DictionaryItemAdmin(admin.ModelAdmin):
    list_display = ["kind", "code", "label", "tenant", "active"]
    list_filter = ["kind"]


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: the audit log is never edited."""

    list_display = ["created_at", "tenant", "actor", "action", "content_type", "object_id"]
    list_select_related = ["tenant", "actor", "content_type"]
