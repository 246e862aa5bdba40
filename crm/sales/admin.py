"""The operators' admin for the sales module.

States never move here. Confirmed documents (approved quotes, signed
contracts, confirmed payments) are read-only and cannot be deleted; drafts
are edited through the same services as the API. Products, opportunities,
contracts and payment plans import and export with the API's resources
(``crm.sales.resources``), which keep the same rules.
"""

from django.contrib import admin, messages
from django_fsm import FSMField

from crm.core.admin import ReadOnlyAdminMixin
from crm.core.errors import DomainError
from crm.imports.admin import TenantImportExportMixin
from crm.sales import services
from crm.sales.models import (
    ApprovalBand,
    Contract,
    ContractLine,
    Installment,
    Opportunity,
    Payment,
    Product,
    Quote,
    QuoteLine,
    Requirement,
    Solution,
)
from crm.sales.resources import (
    ContractResource,
    InstallmentResource,
    OpportunityResource,
    ProductResource,
)


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    extra = 0
    can_delete = False


class QuoteLineInline(ReadOnlyInline):
    model = QuoteLine
    fields = ["product", "description", "quantity", "unit_price", "discount_percent", "amount"]
    readonly_fields = fields


class ContractLineInline(QuoteLineInline):
    model = ContractLine


class InstallmentInline(ReadOnlyInline):
    model = Installment
    fields = ["sequence", "due_date", "amount", "collected_amount", "status"]
    readonly_fields = fields


class DocumentAdmin(admin.ModelAdmin):
    """Frozen rows: view only, no delete; drafts saved through ``update_service``."""

    update_service = None
    delete_service = None
    editable_fields: tuple[str, ...] = ()
    formfield_overrides = {FSMField: {"disabled": True}}

    def has_add_permission(self, request):
        return False  # documents are created through the API (numbering, lines, audit)

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_frozen:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_frozen:
            return False
        return super().has_delete_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        names = [f.name for f in self.model._meta.fields if f.name not in self.editable_fields]
        return names

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # a bulk delete would skip the per-row checks
        return actions

    def save_model(self, request, obj, form, change):
        stored = type(obj)._base_manager.get(pk=obj.pk)
        data = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            type(self).update_service(stored, tenant=stored.tenant, actor=request.user, **data)
        except DomainError as exc:
            self.message_user(request, str(exc.detail), messages.ERROR)

    def delete_model(self, request, obj):
        """Through the service: audited, under the row lock, the state re-checked."""
        try:
            type(self).delete_service(obj, tenant=obj.tenant, actor=request.user)
        except DomainError as exc:
            self.message_user(request, str(exc.detail), messages.ERROR)


@admin.register(Product)
class ProductAdmin(TenantImportExportMixin, admin.ModelAdmin):
    resource_classes = [ProductResource]
    list_display = ["code", "name", "tenant", "unit", "price", "active"]
    list_select_related = ["tenant"]
    search_fields = ["code", "name"]


@admin.register(Opportunity)
class OpportunityAdmin(TenantImportExportMixin, admin.ModelAdmin):
    resource_classes = [OpportunityResource]
    list_display = ["name", "tenant", "customer", "owner", "status", "amount"]
    list_select_related = ["tenant", "customer", "owner"]
    list_filter = ["status"]
    readonly_fields = ["status", "reached_rank", "closed_on", "loss_reason"]
    raw_id_fields = ["customer", "contact", "owner", "lead"]
    formfield_overrides = {FSMField: {"disabled": True}}


@admin.register(Requirement)
class RequirementAdmin(admin.ModelAdmin):
    list_display = ["opportunity", "priority", "created_at"]
    list_select_related = ["opportunity"]
    raw_id_fields = ["opportunity"]


@admin.register(Solution)
class SolutionAdmin(admin.ModelAdmin):
    list_display = ["title", "opportunity", "created_at"]
    list_select_related = ["opportunity"]
    raw_id_fields = ["opportunity", "requirement"]


@admin.register(Quote)
class QuoteAdmin(DocumentAdmin):
    list_display = ["__str__", "tenant", "number", "status", "total", "is_latest"]
    list_select_related = ["tenant", "opportunity"]
    list_filter = ["status"]
    inlines = [QuoteLineInline]
    editable_fields = ("valid_until", "note")
    update_service = staticmethod(services.quote_update)
    delete_service = staticmethod(services.quote_delete)


@admin.register(Contract)
class ContractAdmin(TenantImportExportMixin, DocumentAdmin):
    resource_classes = [ContractResource]
    list_display = ["number", "tenant", "customer", "status", "amount", "collected_amount"]
    list_select_related = ["tenant", "customer"]
    list_filter = ["status"]
    search_fields = ["number"]
    inlines = [ContractLineInline, InstallmentInline]
    editable_fields = ("title", "start_date", "end_date")
    update_service = staticmethod(services.contract_update)
    delete_service = staticmethod(services.contract_delete)


@admin.register(Installment)
class InstallmentAdmin(ReadOnlyAdminMixin, TenantImportExportMixin, admin.ModelAdmin):
    """Payment plans: listed, imported and exported here; edited with their contract."""

    resource_classes = [InstallmentResource]
    list_display = ["contract", "tenant", "sequence", "due_date", "amount", "status"]
    list_select_related = ["tenant", "contract__customer"]
    list_filter = ["status"]
    search_fields = ["contract__number"]


@admin.register(Payment)
class PaymentAdmin(DocumentAdmin):
    list_display = ["id", "tenant", "contract", "amount", "paid_at", "status", "reversal_of"]
    list_select_related = ["tenant", "contract"]
    list_filter = ["status"]
    editable_fields = ("paid_at", "method", "reference", "note")
    update_service = staticmethod(services.payment_update)
    delete_service = staticmethod(services.payment_delete)


@admin.register(ApprovalBand)
class ApprovalBandAdmin(admin.ModelAdmin):
    list_display = ["tenant", "max_amount", "permission"]
    list_select_related = ["tenant"]
