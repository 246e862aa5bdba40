"""REST endpoints of customer service (registered by crm/api_router.py).

Collections: ``/complaints/``, ``/follow-ups/``, ``/tickets/``, ``/projects/``,
``/feedback/``, ``/calendar/days/``; views: ``/calendar/add-hours/``,
``/calendar/working-hours/``. The service reports (``/reports/sla/``...) live
with the others in ``crm/reports/``.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

import django_filters
from django import forms
from django.urls import path
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from crm.core.api.filters import SearchFilterSet, TenantFilterSet
from crm.core.api.viewsets import DocumentViewSet, RecordViewSet, TenantScopedMixin
from crm.core.errors import Invalid
from crm.service import selectors, services
from crm.service import serializers as s
from crm.service.models import (
    TARGET_FIELDS,
    Complaint,
    CustomerProject,
    Feedback,
    FollowUp,
    ServiceTicket,
    TenantWorkday,
)
from workflows.api import ProcessViewSet
from workflows.calendar import unpublished_years
from workflows.complaint import ComplaintStatus, Severity
from workflows.followup import FollowUpKind, FollowUpStatus
from workflows.project import ProjectStatus
from workflows.ticket import TicketStatus

#: The most working hours the add-hours endpoint computes (about ten working years).
MAX_ADD_HOURS = Decimal(20000)
#: Years a start may fall in (the calendar's range, less the ten years of MAX_ADD_HOURS).
START_YEARS = (1970, 2089)


class YearFilter(django_filters.NumberFilter):
    """A calendar year 1900-2100 (a bigger number is a 400, not a date overflow)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1900)
        kwargs.setdefault("max_value", 2100)
        super().__init__(*args, **kwargs)


# --- working calendar ------------------------------------------------------------


def _parse_start(raw: str | None) -> dt.datetime:
    if raw is None or not raw.strip():
        raise Invalid(fields={"start": [_("Give the start as an ISO date and time.")]})
    raw = raw.strip()
    # An unencoded "+08:00" in a query string arrives as " 08:00".
    raw = re.sub(r" (\d{2}:?\d{2})$", r"+\1", raw)
    try:
        value = parse_datetime(raw)
    except ValueError:
        value = None
    if value is None:
        raise Invalid(
            fields={"start": [_("“%(value)s” is not an ISO date and time.") % {"value": raw}]}
        )
    if timezone.is_naive(value):
        raise Invalid(
            fields={"start": [_("Give the time zone too, e.g. 2026-09-30T16:00:00+08:00.")]}
        )
    if not START_YEARS[0] <= value.year <= START_YEARS[1]:
        raise Invalid(
            fields={
                "start": [
                    _("Give a start from %(first)d to %(last)d.")
                    % {"first": START_YEARS[0], "last": START_YEARS[1]}
                ]
            }
        )
    return value


def _parse_hours(raw: str | None) -> Decimal:
    if raw is None or not raw.strip():
        raise Invalid(fields={"hours": [_("Give the number of working hours.")]})
    try:
        value = Decimal(raw.strip())
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        raise Invalid(fields={"hours": [_("“%(value)s” is not a number.") % {"value": raw}]})
    if value < 0:
        raise Invalid(fields={"hours": [_("The number of hours cannot be negative.")]})
    if value > MAX_ADD_HOURS:
        raise Invalid(
            fields={"hours": [_("At most %(max)s working hours.") % {"max": MAX_ADD_HOURS}]}
        )
    return value


class AddHoursView(TenantScopedMixin, APIView):
    """The deadline ``hours`` working hours after ``start`` on the company's calendar."""

    code = "calendar.view"

    @extend_schema(
        parameters=[
            OpenApiParameter("start", OpenApiTypes.DATETIME, required=True),
            OpenApiParameter("hours", OpenApiTypes.NUMBER, required=True),
        ],
        responses=s.AddHoursResultSerializer,
    )
    def get(self, request):
        errors: dict[str, list[str]] = {}
        start = hours = None
        for name, parse in (("start", _parse_start), ("hours", _parse_hours)):
            try:
                value = parse(request.query_params.get(name))
            except Invalid as exc:
                errors.update(exc.fields)
                continue
            if name == "start":
                start = value
            else:
                hours = value
        if errors:
            raise Invalid(fields=errors)
        calendar = selectors.calendar_for(request.tenant)
        try:
            deadline = calendar.add_working_hours(start, hours)
        except (ValueError, OverflowError):
            raise Invalid(
                fields={"hours": [_("No deadline found: check the working hours and days.")]}
            ) from None
        return Response(
            {
                "deadline": deadline.isoformat(),
                "warnings": s.calendar_warnings(start, deadline),
            }
        )


class WorkingHoursView(TenantScopedMixin, APIView):
    """The company's daily working intervals and time zone (edit: ``settings.edit``)."""

    @property
    def code(self) -> str:
        request = getattr(self, "request", None)
        return (
            "settings.edit"
            if request is not None and request.method == "PATCH"
            else ("calendar.view")
        )

    def _body(self, row) -> dict:
        year = timezone.localdate().year
        return {
            "intervals": row.intervals,
            "time_zone": row.time_zone,
            "version": row.version,
            # This year and the next without the State Council's schedule: deadlines
            # there use the Monday-Friday fallback, and the editor warns about it.
            "missing_official_years": unpublished_years(
                dt.date(year, 1, 1), dt.date(year + 1, 12, 31)
            ),
        }

    @extend_schema(responses=s.WorkingHoursSerializer)
    def get(self, request):
        return Response(self._body(selectors.working_hours_of(request.tenant)))

    @extend_schema(request=s.WorkingHoursSerializer, responses=s.WorkingHoursSerializer)
    def patch(self, request):
        serializer = s.WorkingHoursSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        row = services.working_hours_update(
            tenant=request.tenant, actor=request.user, **serializer.validated_data
        )
        return Response(self._body(row))


class WorkdayFilter(TenantFilterSet):
    date = django_filters.DateFromToRangeFilter()
    year = YearFilter(field_name="date", lookup_expr="year")

    class Meta:
        model = TenantWorkday
        fields = ["is_workday"]


class WorkdayViewSet(RecordViewSet):
    """The company's own days off and working days (win over the official calendar)."""

    model = TenantWorkday
    serializer_class = s.TenantWorkdaySerializer
    filterset_class = WorkdayFilter
    permission_module = "calendar"
    ordering = ["date"]
    create_service = staticmethod(services.workday_create)
    update_service = staticmethod(services.workday_update)
    delete_service = staticmethod(services.workday_delete)


# --- complaints --------------------------------------------------------------------


class ComplaintFilter(SearchFilterSet):
    status = django_filters.MultipleChoiceFilter(choices=ComplaintStatus.choices)
    severity = django_filters.MultipleChoiceFilter(choices=Severity.choices)
    received_at = django_filters.IsoDateTimeFromToRangeFilter()

    class Meta:
        model = Complaint
        fields = ["customer", "owner", "status", "severity", "channel", "category", "breached"]


class ComplaintViewSet(ProcessViewSet):
    model = Complaint
    serializer_class = s.ComplaintDetailSerializer
    list_serializer_class = s.ComplaintSerializer
    filterset_class = ComplaintFilter
    permission_module = "complaints"
    owner_field = "owner"
    ordering_fields = ["id", "received_at", "acknowledge_due_at", "resolve_due_at", "status"]
    ordering = ["-id"]
    create_service = staticmethod(services.complaint_create)
    update_service = staticmethod(services.complaint_update)
    delete_service = staticmethod(services.complaint_delete)

    def get_queryset(self):
        qs = super().get_queryset()
        if self.action == "list":
            return selectors.complaints_for_list(qs)
        return selectors.complaints_for_detail(qs).prefetch_related("breaches__owner")


# --- follow-ups --------------------------------------------------------------------


class FollowUpFilter(TenantFilterSet):
    status = django_filters.MultipleChoiceFilter(choices=FollowUpStatus.choices)
    kind = django_filters.MultipleChoiceFilter(choices=FollowUpKind.choices)
    due_at = django_filters.IsoDateTimeFromToRangeFilter()
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=gettext_lazy("overdue"))

    class Meta:
        model = FollowUp
        fields = ["owner", *TARGET_FIELDS, "status", "kind"]

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        overdue = {"status": FollowUpStatus.PLANNED, "due_at__lt": timezone.now()}
        return queryset.filter(**overdue) if value else queryset.exclude(**overdue)


class FollowUpViewSet(ProcessViewSet):
    """Follow-ups, return visits and care tasks; ``POST`` with one target id is the
    quick create from any record."""

    model = FollowUp
    serializer_class = s.FollowUpDetailSerializer
    list_serializer_class = s.FollowUpSerializer
    filterset_class = FollowUpFilter
    permission_module = "followups"
    owner_field = "owner"
    ordering_fields = ["id", "due_at", "status", "done_at"]
    ordering = ["due_at", "id"]
    create_service = staticmethod(services.followup_create)
    update_service = staticmethod(services.followup_update)
    delete_service = staticmethod(services.followup_delete)

    def get_queryset(self):
        qs = selectors.followups_for_list(super().get_queryset())
        return qs if self.action == "list" else qs.select_related("tenant")


# --- tickets, projects, feedback ---------------------------------------------------


class TicketFilter(SearchFilterSet):
    status = django_filters.MultipleChoiceFilter(choices=TicketStatus.choices)
    created_at = django_filters.IsoDateTimeFromToRangeFilter()

    class Meta:
        model = ServiceTicket
        fields = ["customer", "contract", "owner", "status", "priority"]


class TicketViewSet(ProcessViewSet):
    model = ServiceTicket
    serializer_class = s.TicketDetailSerializer
    list_serializer_class = s.TicketSerializer
    filterset_class = TicketFilter
    permission_module = "tickets"
    owner_field = "owner"
    include_unowned = True  # an unassigned ticket is visible to the whole service desk
    ordering_fields = ["id", "created_at", "status", "priority"]
    ordering = ["-id"]
    create_service = staticmethod(services.ticket_create)
    update_service = staticmethod(services.ticket_update)
    delete_service = staticmethod(services.ticket_delete)

    def get_queryset(self):
        return selectors.tickets_for_list(super().get_queryset())


class ProjectFilter(SearchFilterSet):
    status = django_filters.MultipleChoiceFilter(choices=ProjectStatus.choices)
    planned_end = django_filters.DateFromToRangeFilter()

    class Meta:
        model = CustomerProject
        fields = ["customer", "contract", "owner", "status"]


class ProjectViewSet(ProcessViewSet):
    model = CustomerProject
    serializer_class = s.ProjectDetailSerializer
    list_serializer_class = s.ProjectSerializer
    filterset_class = ProjectFilter
    permission_module = "projects"
    owner_field = "owner"
    include_unowned = True
    ordering_fields = ["id", "created_at", "planned_end", "status"]
    ordering = ["-id"]
    create_service = staticmethod(services.project_create)
    update_service = staticmethod(services.project_update)
    delete_service = staticmethod(services.project_delete)

    def get_queryset(self):
        return selectors.projects_for_list(super().get_queryset())


class FeedbackFilter(TenantFilterSet):
    created_at = django_filters.IsoDateTimeFromToRangeFilter()

    class Meta:
        model = Feedback
        fields = ["customer", "kind", "handled"]


class FeedbackViewSet(DocumentViewSet):
    model = Feedback
    serializer_class = s.FeedbackSerializer
    filterset_class = FeedbackFilter
    permission_module = "feedback"
    owner_field = "customer__owner"
    include_unowned = True
    ordering_fields = ["id", "created_at"]
    ordering = ["-id"]
    create_service = staticmethod(services.feedback_create)
    update_service = staticmethod(services.feedback_update)
    delete_service = staticmethod(services.feedback_delete)

    def get_queryset(self):
        return selectors.feedback_for_list(super().get_queryset())


def register_routes(router) -> list:
    """Register this module's viewsets on ``router``; return extra URL patterns."""
    router.register("complaints", ComplaintViewSet, basename="complaint")
    router.register("follow-ups", FollowUpViewSet, basename="follow-up")
    router.register("tickets", TicketViewSet, basename="ticket")
    router.register("projects", ProjectViewSet, basename="project")
    router.register("feedback", FeedbackViewSet, basename="feedback")
    router.register("calendar/days", WorkdayViewSet, basename="calendar-day")
    return [
        path("calendar/add-hours/", AddHoursView.as_view(), name="calendar-add-hours"),
        path("calendar/working-hours/", WorkingHoursView.as_view(), name="calendar-working-hours"),
    ]
