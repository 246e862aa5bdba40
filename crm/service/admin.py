"""Operators' admin for customer service. States move only through the workflow
engine (status read-only); SLA fields are computed, hence read-only too."""

from django.contrib import admin
from django_fsm import FSMField

from crm.service.models import (
    Complaint,
    ComplaintBreach,
    CustomerProject,
    Feedback,
    FollowUp,
    ServiceTicket,
    TenantWorkday,
    WorkingHours,
)


class _ProcessAdmin(admin.ModelAdmin):
    readonly_fields = ["status"]
    formfield_overrides = {FSMField: {"disabled": True}}
    list_filter = ["status"]


@admin.register(Complaint)
class ComplaintAdmin(_ProcessAdmin):
    list_display = ["id", "customer", "severity", "owner", "status", "received_at", "breached"]
    list_select_related = ["customer", "owner"]
    list_filter = ["status", "severity", "breached"]
    readonly_fields = [
        "status",
        "acknowledge_due_at",
        "acknowledged_at",
        "resolve_started_at",
        "resolve_due_at",
        "resolved_at",
        "closed_at",
        "breached",
    ]


@admin.register(ComplaintBreach)
class ComplaintBreachAdmin(admin.ModelAdmin):
    list_display = ["complaint", "kind", "due_at", "owner", "escalated_at"]
    list_select_related = ["complaint", "owner"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(FollowUp)
class FollowUpAdmin(_ProcessAdmin):
    list_display = ["id", "kind", "subject", "owner", "due_at", "status", "satisfaction"]
    list_select_related = ["owner"]
    list_filter = ["status", "kind"]


@admin.register(ServiceTicket)
class ServiceTicketAdmin(_ProcessAdmin):
    list_display = ["subject", "customer", "priority", "owner", "status"]
    list_select_related = ["customer", "owner"]


@admin.register(CustomerProject)
class CustomerProjectAdmin(_ProcessAdmin):
    list_display = ["name", "customer", "owner", "planned_end", "status"]
    list_select_related = ["customer", "owner"]


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ["customer", "kind", "handled", "created_at"]
    list_select_related = ["customer"]
    list_filter = ["kind", "handled"]


@admin.register(TenantWorkday)
class TenantWorkdayAdmin(admin.ModelAdmin):
    list_display = ["date", "tenant", "is_workday", "note"]
    list_select_related = ["tenant"]


@admin.register(WorkingHours)
class WorkingHoursAdmin(admin.ModelAdmin):
    list_display = ["tenant", "intervals", "time_zone"]
    list_select_related = ["tenant"]
