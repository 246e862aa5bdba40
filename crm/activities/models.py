"""Activity records and in-app notifications."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from crm.core.models import TenantModel
from workflows.event import EventProcessMixin
from workflows.plan import PlanKind, PlanProcessMixin
from workflows.task import TaskPriority, TaskProcessMixin

# The records an activity, a task, an event or a plan item may point at: one
# nullable id field named after each (as follow-ups do).
LINK_MODELS = {
    "customer": ("customers.Customer", _("customer")),
    "contact": ("customers.Contact", _("contact")),
    "lead": ("customers.Lead", _("lead")),
    "opportunity": ("sales.Opportunity", _("opportunity")),
    "contract": ("sales.Contract", _("contract")),
    "complaint": ("service.Complaint", _("complaint")),
}
LINK_FIELDS = tuple(LINK_MODELS)


def _link(name: str, related: str, on_delete=models.SET_NULL):
    model, verbose = LINK_MODELS[name]
    return models.ForeignKey(
        model,
        verbose_name=verbose,
        null=True,
        blank=True,
        on_delete=on_delete,
        related_name=related,
    )


def _user(verbose, *, related="+", null=False, on_delete=models.PROTECT):
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose,
        null=null,
        blank=null,
        on_delete=on_delete,
        related_name=related,
    )


class Activity(TenantModel):
    """A call, visit, meeting or e-mail, linked to a record (lead, customer, contact,
    opportunity, contract or complaint)."""

    class Kind(models.TextChoices):
        CALL = "call", _("call")
        VISIT = "visit", _("visit")
        MEETING = "meeting", _("meeting")
        EMAIL = "email", _("e-mail")
        OTHER = "other", _("other")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    subject = models.CharField(_("subject"), max_length=200)
    note = models.TextField(_("note"), blank=True)
    occurred_at = models.DateTimeField(_("occurred at"))
    lead = models.ForeignKey(
        "customers.Lead",
        verbose_name=_("lead"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="activities",
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="activities",
    )
    contact = _link("contact", "activities", on_delete=models.CASCADE)
    opportunity = _link("opportunity", "activities", on_delete=models.CASCADE)
    contract = _link("contract", "activities", on_delete=models.CASCADE)
    complaint = _link("complaint", "activities", on_delete=models.CASCADE)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        indexes = [
            models.Index(fields=["tenant", "lead", "-occurred_at"]),
            models.Index(fields=["tenant", "customer", "-occurred_at"]),
            models.Index(fields=["tenant", "owner", "-occurred_at"]),
        ]

    def __str__(self) -> str:
        return self.subject


class Task(TaskProcessMixin, TenantModel):
    """A piece of work one user gives another (or themself), optionally on a record."""

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    assignee = _user(_("assignee"), related="tasks")
    assigner = _user(_("assigner"), null=True, on_delete=models.SET_NULL, related="tasks_given")
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    priority = models.CharField(
        _("priority"), max_length=10, choices=TaskPriority.choices, default=TaskPriority.NORMAL
    )
    customer = _link("customer", "tasks")
    contact = _link("contact", "tasks")
    lead = _link("lead", "tasks")
    opportunity = _link("opportunity", "tasks")
    contract = _link("contract", "tasks")
    complaint = _link("complaint", "tasks")
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = _user(None, null=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        indexes = [
            models.Index(fields=["tenant", "assignee", "status", "due_at"]),
            models.Index(fields=["tenant", "assigner", "status", "due_at"]),
        ]

    def __str__(self) -> str:
        return self.title


class CalendarEvent(EventProcessMixin, TenantModel):
    """A calendar entry (日程) of its owner, with invitees; may repeat (see recurrence.py)."""

    class Recurrence(models.TextChoices):
        NONE = "", _("does not repeat")
        DAILY = "daily", _("daily")
        WEEKLY = "weekly", _("weekly")
        MONTHLY = "monthly", _("monthly")

    title = models.CharField(_("title"), max_length=200)
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"), null=True, blank=True)
    all_day = models.BooleanField(_("all day"), default=False)
    location = models.CharField(_("location"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True)
    owner = _user(_("owner"), related="calendar_events")
    invitees = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invitees"),
        blank=True,
        related_name="invited_events",
    )
    remind_minutes = models.PositiveIntegerField(
        _("remind minutes before"), null=True, blank=True, default=15
    )
    recurrence = models.CharField(
        _("repeats"), max_length=10, choices=Recurrence.choices, default="", blank=True
    )
    recurrence_interval = models.PositiveSmallIntegerField(_("repeat every"), default=1)
    recurrence_until = models.DateField(_("repeat until"), null=True, blank=True)
    recurrence_count = models.PositiveIntegerField(_("occurrences"), null=True, blank=True)
    customer = _link("customer", "calendar_events")
    contact = _link("contact", "calendar_events")
    lead = _link("lead", "calendar_events")
    opportunity = _link("opportunity", "calendar_events")
    contract = _link("contract", "calendar_events")
    complaint = _link("complaint", "calendar_events")
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = _user(None, null=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("calendar event")
        verbose_name_plural = _("calendar events")
        indexes = [models.Index(fields=["tenant", "owner", "start"])]

    def __str__(self) -> str:
        return self.title


class WorkPlan(PlanProcessMixin, TenantModel):
    """A user's daily or weekly plan (a weekly plan's period is its Monday)."""

    kind = models.CharField(_("kind"), max_length=10, choices=PlanKind.choices)
    period = models.DateField(_("period"))
    owner = _user(_("owner"), related="work_plans")
    reviewer = _user(_("reviewer"), null=True, on_delete=models.SET_NULL)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = _user(None, null=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("work plan")
        verbose_name_plural = _("work plans")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "owner", "kind", "period"], name="one_plan_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period}"


class PlanItem(TenantModel):
    """One line of a plan: what to do, optionally on a record, and whether it is done."""

    plan = models.ForeignKey(WorkPlan, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(_("text"), max_length=500)
    done = models.BooleanField(_("done"), default=False)
    customer = _link("customer", "+")
    contact = _link("contact", "+")
    lead = _link("lead", "+")
    opportunity = _link("opportunity", "+")
    contract = _link("contract", "+")
    complaint = _link("complaint", "+")

    class Meta:
        verbose_name = _("plan item")
        verbose_name_plural = _("plan items")
        ordering = ["position", "id"]


class PlanNudge(TenantModel):
    """The "no daily plan submitted yet" reminder a user got on a day: at most one."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="one_plan_nudge_a_day")]


class Notification(TenantModel):
    """An in-app message to one user, naming and linking its record."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("body"), blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    content_type = models.ForeignKey(
        ContentType, null=True, on_delete=models.CASCADE, related_name="+"
    )
    object_id = models.BigIntegerField(null=True)
    reminder = models.ForeignKey(
        "workflows.Reminder", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["recipient", "-created_at"])]
        constraints = [
            # A reminder notifies each recipient at most once, whatever the redelivery.
            models.UniqueConstraint(
                fields=["reminder", "recipient"], name="notification_once_per_reminder"
            )
        ]
