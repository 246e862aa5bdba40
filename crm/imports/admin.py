"""Django admin: import/export with the same resources as the API, and the job list.

The admin is the operators' (superusers') tool across tenants, so an import
asks which company it is for. CSV uploads are decoded like the API's: UTF-8
(with or without BOM) when valid, otherwise GB18030 (a superset of GBK).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin
from import_export.formats import base_formats
from import_export.forms import ConfirmImportForm, ImportForm

from crm.core.models import Tenant
from crm.imports.formats import detect_encoding
from crm.imports.models import ImportJob


class AutoEncodingCSV(base_formats.CSV):
    """CSV read as bytes and decoded with the detected encoding (GB18030 for GBK files)."""

    def is_binary(self):
        return True

    def get_read_mode(self):
        return "rb"

    def create_dataset(self, in_stream, **kwargs):
        if isinstance(in_stream, bytes | bytearray | memoryview):
            data = bytes(in_stream)
            in_stream = data.decode(detect_encoding(data)).lstrip("\ufeff")
        return super().create_dataset(in_stream, **kwargs)


class TenantImportForm(ImportForm):
    tenant = forms.ModelChoiceField(queryset=Tenant.objects.all(), label=_("company"))


class TenantConfirmImportForm(ConfirmImportForm):
    tenant = forms.ModelChoiceField(queryset=Tenant.objects.all(), widget=forms.HiddenInput())


class TenantImportExportMixin(ImportExportMixin):
    """Import/export for a tenant model's resources; the import names its company."""

    import_form_class = TenantImportForm
    confirm_form_class = TenantConfirmImportForm
    import_formats = [AutoEncodingCSV, base_formats.XLSX]
    export_formats = [base_formats.XLSX, base_formats.CSV]

    def get_import_resource_kwargs(self, request, **kwargs):
        form = kwargs.get("form")
        data = getattr(form, "cleaned_data", None) or {}
        if data.get("tenant") is None:
            return {}
        return {"tenant": data["tenant"], "actor": request.user}

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:
            initial["tenant"] = import_form.cleaned_data["tenant"].pk
        return initial


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    """Read-only: jobs change only through the import services."""

    list_display = ["id", "tenant", "resource", "status", "progress", "dry_run", "created_at"]
    list_filter = ["status", "resource"]
    list_select_related = ["tenant"]
    exclude = ["errors"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
