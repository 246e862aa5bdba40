"""``/api/v1/lead-forms/``: the company's web forms (public page: ``/f/<public_key>/``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from crm.core.api.fields import RelatedLabelField
from crm.core.api.filters import SearchFilterSet
from crm.core.api.serializers import TenantPrimaryKeyField
from crm.core.api.viewsets import RecordViewSet
from crm.core.models import DictionaryItem, User
from crm.customers import lead_forms
from crm.customers.models import LeadForm


class LeadFormSerializer(serializers.ModelSerializer):
    shown_fields = serializers.ListField(
        source="fields",
        label=_("fields shown"),
        child=serializers.ChoiceField(choices=LeadForm.Field.choices),
        required=False,
        max_length=len(LeadForm.Field.choices),
    )
    source = TenantPrimaryKeyField(
        label=_("source"),
        model=DictionaryItem,
        filters={"kind": "source", "active": True},
        required=False,
        allow_null=True,
    )
    source_label = RelatedLabelField(source="source.label")
    campaign = TenantPrimaryKeyField(
        label=_("campaign"),
        model=LeadForm._meta.get_field("campaign").related_model,
        required=False,
        allow_null=True,
    )
    campaign_name = RelatedLabelField(source="campaign.name")
    default_owner = TenantPrimaryKeyField(
        label=_("owner when no rule fits"),
        model=User,
        filters={"is_active": True, "is_system": False},
        required=False,
        allow_null=True,
    )
    default_owner_name = RelatedLabelField(source="default_owner.display_name")
    public_path = serializers.SerializerMethodField()

    class Meta:
        model = LeadForm
        fields = [
            "id",
            "name",
            "title",
            "shown_fields",
            "source",
            "source_label",
            "campaign",
            "campaign_name",
            "default_owner",
            "default_owner_name",
            "thank_you",
            "active",
            "public_key",
            "public_path",
            "submissions",
            "version",
            "created_at",
        ]
        read_only_fields = ["public_key", "submissions", "version", "created_at"]

    @extend_schema_field(serializers.CharField())
    def get_public_path(self, form) -> str:
        """The page to share or embed (an iframe may show it): ``/f/<public_key>/``."""
        return f"/f/{form.public_key}/"


class LeadFormFilter(SearchFilterSet):
    class Meta:
        model = LeadForm
        fields = ["active", "campaign", "source"]

    def filter_search(self, queryset, name, value):
        return queryset.filter(name__icontains=(value or "").strip())


class LeadFormViewSet(RecordViewSet):
    model = LeadForm
    serializer_class = LeadFormSerializer
    filterset_class = LeadFormFilter
    permission_module = "lead_forms"
    ordering_fields = ["id", "name", "submissions", "created_at"]
    ordering = ["-id"]
    create_service = staticmethod(lead_forms.lead_form_create)
    update_service = staticmethod(lead_forms.lead_form_update)
    delete_service = staticmethod(lead_forms.lead_form_delete)

    def get_queryset(self):
        return super().get_queryset().select_related("source", "campaign", "default_owner")


def register_routes(router) -> list:
    router.register("lead-forms", LeadFormViewSet, basename="lead-form")
    return []
