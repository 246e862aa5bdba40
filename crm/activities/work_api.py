"""REST endpoints of tasks, calendar events, work plans and the record timeline
(registered by crm/api_router.py through ``register_routes``)."""

from __future__ import annotations

import copy
import datetime as dt

import django_filters
from django.db.models import Q
from django.urls import path
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from crm.activities import selectors
from crm.activities import serializers as s
from crm.activities.models import LINK_FIELDS, CalendarEvent, Task, WorkPlan
from crm.activities.recurrence import occurrences
from crm.activities.services import events as event_services
from crm.activities.services import plans as plan_services
from crm.activities.services import tasks as task_services
from crm.activities.timeline import RECORD_COLLECTIONS
from crm.core.api.filters import TenantFilterSet, query_flag
from crm.core.api.permissions import required_code
from crm.core.api.viewsets import TenantScopedMixin
from crm.core.errors import Invalid
from crm.core.models import Team
from crm.core.registries import timeline_sources
from crm.core.validators import date_in_range, date_range_message
from workflows.api import ProcessViewSet
from workflows.plan import PlanKind, PlanStatus
from workflows.task import ACTIVE_STATES, TaskPriority, TaskStatus

# A range query of the calendar spans at most this many days.
MAX_RANGE_DAYS = 92


# --- tasks ---------------------------------------------------------------------------


class TaskFilter(TenantFilterSet):
    status = django_filters.MultipleChoiceFilter(choices=TaskStatus.choices)
    priority = django_filters.MultipleChoiceFilter(choices=TaskPriority.choices)
    due_at = django_filters.IsoDateTimeFromToRangeFilter()
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_lazy("overdue"))

    class Meta:
        model = Task
        fields = ["status", "priority", "assignee", "assigner", *LINK_FIELDS]

    def filter_overdue(self, queryset, name, value):
        late = Q(status__in=ACTIVE_STATES, due_at__lt=timezone.now())
        return queryset.filter(late) if value else queryset.exclude(late)


@extend_schema(
    parameters=[
        OpenApiParameter("mine", OpenApiTypes.BOOL, description="tasks assigned to me"),
        OpenApiParameter("given", OpenApiTypes.BOOL, description="tasks I gave"),
    ]
)
class TaskViewSet(ProcessViewSet):
    """Tasks: ``?mine=1`` assigned to me, ``?given=1`` those I gave; ``bulk-complete/``."""

    model = Task
    serializer_class = s.TaskSerializer
    list_serializer_class = s.TaskListSerializer
    filterset_class = TaskFilter
    permission_module = "activities.task"
    ordering_fields = ["id", "due_at", "priority", "created_at"]
    ordering = ["due_at", "-id"]
    create_service = staticmethod(task_services.task_create)
    update_service = staticmethod(task_services.task_update)
    delete_service = staticmethod(task_services.task_delete)

    def get_queryset(self):
        qs = self.model.objects.filter(tenant_id=self.request.user.tenant_id)
        if getattr(self, "swagger_fake_view", False):
            return self.model._base_manager.none()
        qs = selectors.visible_tasks(qs, self.request.user)
        if query_flag(self.request, "mine"):
            qs = qs.filter(assignee=self.request.user)
        if query_flag(self.request, "given"):
            qs = qs.filter(assigner=self.request.user)
        return qs.select_related("assignee", "assigner")

    @extend_schema(request=s.BulkCompleteSerializer, responses=s.BulkResultSerializer(many=True))
    @action(
        detail=False,
        methods=["post"],
        url_path="bulk-complete",
        code="transition:task.complete",
        pagination_class=None,
    )
    def bulk_complete(self, request):
        """Complete many tasks in one transaction, each through the engine; the answer
        says per id whether it was completed (and why not)."""
        body = s.BulkCompleteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        ids = list(dict.fromkeys(body.validated_data["ids"]))
        visible = set(self.get_queryset().filter(pk__in=ids).values_list("pk", flat=True))
        results = task_services.tasks_complete(
            tenant=request.tenant, actor=request.user, ids=[i for i in ids if i in visible]
        )
        by_id = {r["id"]: r for r in results}
        missing = {"ok": False, "code": "not_found", "detail": _("Not found."), "reasons": []}
        return Response([by_id.get(i, {"id": i, **missing}) for i in ids])


# --- calendar events -----------------------------------------------------------------


class EventFilter(TenantFilterSet):
    status = django_filters.MultipleChoiceFilter(choices=CalendarEvent.status.field.choices)

    class Meta:
        model = CalendarEvent
        fields = ["status", "owner", *LINK_FIELDS]


def _moment(value: str, name: str, *, end: bool = False) -> dt.datetime:
    """An ISO moment, or a date (its local midnight; an end date counts whole)."""
    try:
        parsed = parse_datetime(value) if "T" in value or " " in value else None
        day = parse_date(value) if parsed is None and value else None
    except ValueError:  # well-formed but impossible (2026-02-30)
        parsed = day = None
    if parsed is None and day is None:
        raise Invalid(fields={name: [_("Enter a date or a date and time.")]})
    # Bounded like every date the API takes: the range arithmetic below (a day
    # added to an end date, the look-back for long events) must not overflow.
    if not date_in_range(parsed or day):
        raise Invalid(fields={name: [date_range_message()]})
    if parsed is None:
        if end:
            day += dt.timedelta(days=1)
        return timezone.make_aware(dt.datetime.combine(day, dt.time()))
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


@extend_schema(
    parameters=[
        OpenApiParameter("start", OpenApiTypes.STR, description="range start (date or moment)"),
        OpenApiParameter("end", OpenApiTypes.STR, description="range end (date: inclusive)"),
        OpenApiParameter("team", OpenApiTypes.INT, description="a team's calendar"),
        OpenApiParameter("mine", OpenApiTypes.BOOL, description="events I own or am invited to"),
    ]
)
class EventViewSet(ProcessViewSet):
    """Calendar events. With ``?start=&end=`` the list answers every occurrence in the
    range (a recurring event once per occurrence: ``series`` and ``occurrence_start``),
    unpaginated, ordered by occurrence."""

    model = CalendarEvent
    serializer_class = s.EventSerializer
    list_serializer_class = s.EventListSerializer
    filterset_class = EventFilter
    permission_module = "activities.event"
    ordering_fields = ["id", "start"]
    ordering = ["start", "id"]
    create_service = staticmethod(event_services.event_create)
    update_service = staticmethod(event_services.event_update)
    delete_service = staticmethod(event_services.event_delete)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.model._base_manager.none()
        user = self.request.user
        qs = selectors.visible_events(self.model.objects.filter(tenant_id=user.tenant_id), user)
        team = self.request.query_params.get("team")
        if team and self.action == "list":
            if not team.isdigit() or not Team.objects.filter(pk=team, tenant=user.tenant).exists():
                raise Invalid(fields={"team": [_("Unknown team.")]})
            qs = selectors.team_events(qs, int(team))
        if query_flag(self.request, "mine"):
            qs = qs.filter(
                Q(owner=user)
                | Q(
                    pk__in=self.model.invitees.through.objects.filter(user_id=user.pk).values(
                        "calendarevent_id"
                    )
                )
            )
        return qs.select_related("owner").prefetch_related("invitees")

    def _range(self) -> tuple[dt.datetime, dt.datetime] | None:
        """``?start=&end=`` as moments (end exclusive), None without them; 400 when
        half a range, a bad date, a reversed or a too long range is given."""
        params = self.request.query_params
        if "start" not in params and "end" not in params:
            return None
        errors = {
            n: [_("Give both ends of the range.")] for n in ("start", "end") if n not in params
        }
        if errors:
            raise Invalid(fields=errors)
        start = _moment(params["start"], "start")
        end = _moment(params["end"], "end", end=True)
        if end <= start or end - start > dt.timedelta(days=MAX_RANGE_DAYS):
            raise Invalid(
                fields={
                    "end": [
                        _("The range must end after its start, within %(days)d days.")
                        % {"days": MAX_RANGE_DAYS}
                    ]
                }
            )
        return start, end

    def _occurrences(self, qs, start: dt.datetime, end: dt.datetime) -> list[CalendarEvent]:
        """One copy of each event per occurrence in [start, end), in time order."""
        qs = qs.filter(start__lt=end)
        qs = qs.filter(
            Q(recurrence="", start__gte=start - dt.timedelta(days=MAX_RANGE_DAYS))
            | ~Q(recurrence="")
        ).exclude(recurrence_until__lt=timezone.localtime(start).date())
        items = []
        for event in qs:
            for begin, finish in occurrences(event, start, end):
                item = copy.copy(event)
                item.occurrence_start, item.occurrence_end = begin, finish
                items.append(item)
        items.sort(key=lambda e: (e.occurrence_start, e.pk))
        return items

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if self.action == "export":
            # The export takes the list's range too (documented with it): the events
            # with an occurrence in it, not every event of the company.
            bounds = self._range()
            if bounds is not None:
                ids = {e.pk for e in self._occurrences(queryset, *bounds)}
                queryset = queryset.filter(pk__in=ids)
        return queryset

    def list(self, request, *args, **kwargs):
        bounds = self._range()
        if bounds is None:
            return super().list(request, *args, **kwargs)
        items = self._occurrences(self.filter_queryset(self.get_queryset()), *bounds)
        data = self.get_serializer(items, many=True).data
        return Response({"count": len(items), "next": None, "previous": None, "results": data})


# --- work plans ----------------------------------------------------------------------


class PlanFilter(TenantFilterSet):
    status = django_filters.MultipleChoiceFilter(choices=PlanStatus.choices)
    kind = django_filters.ChoiceFilter(choices=PlanKind.choices)
    period = django_filters.DateFromToRangeFilter()

    class Meta:
        model = WorkPlan
        fields = ["status", "kind", "owner"]


@extend_schema(
    parameters=[
        OpenApiParameter("mine", OpenApiTypes.BOOL, description="my plans"),
        OpenApiParameter("to_review", OpenApiTypes.BOOL, description="plans waiting for my review"),
    ]
)
class PlanViewSet(ProcessViewSet):
    """Daily and weekly plans; ``?to_review=1``: submitted plans I may review."""

    model = WorkPlan
    serializer_class = s.PlanSerializer
    list_serializer_class = s.PlanListSerializer
    filterset_class = PlanFilter
    permission_module = "activities.plan"
    owner_field = "owner"
    ordering_fields = ["id", "period", "created_at"]
    ordering = ["-period", "-id"]
    create_service = staticmethod(plan_services.plan_create)
    update_service = staticmethod(plan_services.plan_update)
    delete_service = staticmethod(plan_services.plan_delete)
    editable_check = staticmethod(plan_services.ensure_draft)

    def get_queryset(self):
        qs = super().get_queryset().select_related("owner", "reviewer")
        if query_flag(self.request, "mine"):
            qs = qs.filter(owner=self.request.user)
        if query_flag(self.request, "to_review"):
            qs = selectors.plans_to_review(qs, self.request.user)
        if self.action != "list":
            qs = qs.prefetch_related("items")
        return qs


# --- the timeline --------------------------------------------------------------------


@extend_schema(
    parameters=[
        *[OpenApiParameter(name, OpenApiTypes.INT) for name in RECORD_COLLECTIONS],
        OpenApiParameter("page", OpenApiTypes.INT),
        OpenApiParameter("page_size", OpenApiTypes.INT),
    ],
    responses=s.TimelinePageSerializer,
)
class TimelineView(TenantScopedMixin, APIView):
    """``GET /timeline/?customer=<id>``: the record's timeline, newest first, paginated.

    The record is looked up through its collection's viewset: a user who may not see
    it there gets 403 (no permission) or 404 (not in their scope or company).
    """

    def get(self, request):
        from crm.core.api.collection_view import collection_view

        given = [name for name in RECORD_COLLECTIONS if name in request.query_params]
        if len(given) != 1:
            message = _("Name one record: %(names)s.") % {"names": ", ".join(RECORD_COLLECTIONS)}
            raise Invalid(fields={name: [message] for name in (given or RECORD_COLLECTIONS)})
        field = given[0]
        raw = request.query_params[field]
        if not raw.isdigit():
            raise Invalid(fields={field: [_("Send a record id.")]})
        page, size = self._page(request)
        view = collection_view(request, RECORD_COLLECTIONS[field])
        code = required_code(view)
        if code and not request.user.has_code(code):
            raise PermissionDenied()
        record = view.get_queryset().filter(pk=int(raw)).first()
        if record is None:
            raise NotFound()
        limit = page * size
        entries, count = [], 0
        for _name, source in timeline_sources():
            rows, total = source(field, record, limit)
            entries.extend(rows)
            count += total
        entries.sort(key=lambda e: (e["at"], e.get("id") or 0), reverse=True)
        results = entries[(page - 1) * size : page * size]
        url = request.build_absolute_uri()
        return Response(
            s.TimelinePageSerializer(
                {
                    "count": count,
                    "next": replace_query_param(url, "page", page + 1)
                    if page * size < count
                    else None,
                    "previous": replace_query_param(url, "page", page - 1) if page > 1 else None,
                    "results": results,
                }
            ).data
        )

    @staticmethod
    def _page(request) -> tuple[int, int]:
        errors = {}
        values = {}
        for name, default, top in (("page", 1, 10_000), ("page_size", 20, 200)):
            raw = request.query_params.get(name, str(default))
            if not raw.isdigit() or not 1 <= int(raw) <= top:
                errors[name] = [_("Enter a whole number from 1 to %(top)d.") % {"top": top}]
            else:
                values[name] = int(raw)
        if errors:
            raise Invalid(fields=errors)
        return values["page"], values["page_size"]


def register_routes(router):
    router.register("tasks", TaskViewSet, basename="task")
    router.register("events", EventViewSet, basename="event")
    router.register("plans", PlanViewSet, basename="plan")
    return [path("timeline/", TimelineView.as_view(), name="timeline")]
