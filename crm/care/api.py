"""``/api/v1/care-rules/``, ``/api/v1/contact-birthdays/`` (lunar birthdays) and
``GET /api/v1/care/upcoming/?days=`` (the care calendar)."""

from __future__ import annotations

import datetime as dt

from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from crm.care import selectors, services
from crm.care.lunar import label as lunar_label
from crm.care.lunar import to_solar
from crm.care.models import CareRule, ContactLunarBirthday
from crm.care.permissions import CALENDAR
from crm.core.api.fields import RelatedLabelField
from crm.core.api.filters import TenantFilterSet
from crm.core.api.serializers import VisiblePrimaryKeyField
from crm.core.api.viewsets import DocumentViewSet, TenantScopedMixin
from crm.core.errors import Invalid
from crm.customers.models import Contact


class CareRuleSerializer(serializers.ModelSerializer):
    occasion_label = serializers.CharField(source="get_occasion_display", read_only=True)
    festival_label = serializers.CharField(source="get_festival_display", read_only=True)
    days_before = serializers.IntegerField(
        label=_lazy("days before"), min_value=0, max_value=60, required=False
    )

    class Meta:
        model = CareRule
        fields = [
            "id",
            "name",
            "occasion",
            "occasion_label",
            "festival",
            "festival_label",
            "days_before",
            "active",
            "greeting",
            "version",
            "created_at",
        ]
        read_only_fields = ["version", "created_at"]


class CareRuleFilter(TenantFilterSet):
    class Meta:
        model = CareRule
        fields = ["occasion", "festival", "active"]


class CareRuleViewSet(DocumentViewSet):
    model = CareRule
    serializer_class = CareRuleSerializer
    filterset_class = CareRuleFilter
    permission_module = "care.rule"
    ordering_fields = ["id", "name", "days_before"]
    ordering = ["id"]
    create_service = staticmethod(services.care_rule_create)
    update_service = staticmethod(services.care_rule_update)
    delete_service = staticmethod(services.care_rule_delete)


class LunarBirthdaySerializer(serializers.ModelSerializer):
    contact = VisiblePrimaryKeyField(label=_lazy("contact"), model=Contact, collection="contacts")
    contact_name = RelatedLabelField(source="contact.name")
    customer = serializers.IntegerField(
        source="contact.customer_id", read_only=True, label=_lazy("customer")
    )
    customer_name = RelatedLabelField(source="contact.customer.name")
    month = serializers.IntegerField(label=_lazy("lunar month"), min_value=1, max_value=12)
    day = serializers.IntegerField(label=_lazy("lunar day"), min_value=1, max_value=30)
    lunar_label = serializers.SerializerMethodField(label=_lazy("lunar birthday"))
    next_date = serializers.SerializerMethodField(label=_lazy("next birthday"))

    class Meta:
        model = ContactLunarBirthday
        fields = [
            "id",
            "contact",
            "contact_name",
            "customer",
            "customer_name",
            "month",
            "day",
            "leap",
            "lunar_label",
            "next_date",
            "version",
            "created_at",
        ]
        read_only_fields = ["version", "created_at"]

    def get_lunar_label(self, obj) -> str:
        return lunar_label(obj.month, obj.day, obj.leap)

    def get_next_date(self, obj) -> dt.date | None:
        """The next solar day of the birthday (today or later)."""
        today = timezone.localdate()
        for year in range(today.year - 1, today.year + 2):
            day = to_solar(year, obj.month, obj.day, obj.leap)
            if day >= today:
                return day
        return None


class LunarBirthdayFilter(TenantFilterSet):
    class Meta:
        model = ContactLunarBirthday
        fields = ["contact", "month", "leap"]


class LunarBirthdayViewSet(DocumentViewSet):
    model = ContactLunarBirthday
    serializer_class = LunarBirthdaySerializer
    filterset_class = LunarBirthdayFilter
    permission_module = "care.birthday"
    owner_field = "contact__customer__owner"
    ordering_fields = ["id", "month", "day"]
    ordering = ["month", "day", "id"]
    create_service = staticmethod(services.lunar_birthday_create)
    update_service = staticmethod(services.lunar_birthday_update)
    delete_service = staticmethod(services.lunar_birthday_delete)

    def get_queryset(self):
        return super().get_queryset().select_related("contact", "contact__customer")


class UpcomingView(TenantScopedMixin, APIView):
    code = CALENDAR

    @extend_schema(
        parameters=[
            OpenApiParameter("days", int, description="how many days ahead (1-366, default 30)"),
            OpenApiParameter("from", dt.date, description="first day (default today)"),
        ],
        responses=inline_serializer(
            "CareUpcoming",
            {
                "from": serializers.DateField(),
                "to": serializers.DateField(),
                "count": serializers.IntegerField(),
                "results": serializers.ListField(child=serializers.DictField()),
            },
        ),
    )
    def get(self, request):
        """The coming care occasions of the active rules (birthdays, solar or lunar;
        customer anniversaries; festivals) for the customers the user sees."""
        params = request.query_params
        raw = params.get("days") or "30"
        if not raw.isdigit() or not 1 <= int(raw) <= selectors.MAX_DAYS:
            raise Invalid(fields={"days": [_("Give 1 to 366 days.")]})
        start = timezone.localdate()
        if params.get("from"):
            try:
                start = dt.date.fromisoformat(params["from"])
            except ValueError:
                raise Invalid(fields={"from": [_("Enter a date (YYYY-MM-DD).")]}) from None
            if not 1901 <= start.year <= 2098:
                raise Invalid(fields={"from": [_("Give a date from 1901 to 2098.")]})
        end = start + dt.timedelta(days=int(raw) - 1)
        rows = selectors.occasions(request.user.tenant_id, start, end, user=request.user)
        return Response({"from": start, "to": end, "count": len(rows), "results": rows})


def register_routes(router) -> list:
    router.register("care-rules", CareRuleViewSet, basename="care-rule")
    router.register("contact-birthdays", LunarBirthdayViewSet, basename="contact-birthday")
    return [path("care/upcoming/", UpcomingView.as_view(), name="care-upcoming")]
