from django.contrib import admin
from django_fsm import FSMField

from crm.customers.models import Contact, Customer, Lead
from crm.customers.resources import ContactResource, CustomerResource, LeadResource
from crm.imports.admin import TenantImportExportMixin


@admin.register(Customer)
class CustomerAdmin(TenantImportExportMixin, admin.ModelAdmin):
    resource_classes = [CustomerResource]
    list_display = ["name", "tenant", "owner", "credit_code", "phone"]
    list_select_related = ["tenant", "owner"]
    search_fields = ["name", "search_key"]


@admin.register(Contact)
class ContactAdmin(TenantImportExportMixin, admin.ModelAdmin):
    resource_classes = [ContactResource]
    list_display = ["name", "customer", "mobile", "email"]
    list_select_related = ["customer"]


@admin.register(Lead)
class LeadAdmin(TenantImportExportMixin, admin.ModelAdmin):
    """States move only through the workflow engine: the status is read-only here."""

    list_display = ["company_name", "tenant", "owner", "status", "created_at"]
    list_select_related = ["tenant", "owner"]
    list_filter = ["status"]
    readonly_fields = ["status"]
    formfield_overrides = {FSMField: {"disabled": True}}
    resource_classes = [LeadResource]
