"""Customer service: working calendar, complaints, follow-ups and return visits,
service tickets, customer projects, feedback.

The processes live in ``workflows/complaint.py``, ``followup.py``, ``ticket.py``
and ``project.py``; the models here inherit their django-fsm mixins.
"""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm.core.models import TenantModel
from workflows.complaint import BreachKind, ComplaintProcessMixin, Severity
from workflows.followup import SATISFACTION_RANGE, FollowUpKind, FollowUpProcessMixin
from workflows.project import ProjectProcessMixin
from workflows.ticket import TicketProcessMixin

DEFAULT_WORKING_HOURS = "09:00-12:00,13:30-18:00"
DEFAULT_TIME_ZONE = "Asia/Shanghai"


def _user_fk(verbose, *, related="+", null=True, on_delete=models.PROTECT):
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose,
        null=null,
        blank=null,
        on_delete=on_delete,
        related_name=related,
    )


def _contract_fk(related: str):
    """The customer's contract a ticket or project belongs to (optional)."""
    return models.ForeignKey(
        "sales.Contract",
        verbose_name=_("contract"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name=related,
    )


def _customer_fk(related: str):
    return models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name=related,
    )


# --- working calendar --------------------------------------------------------


class WorkingHours(TenantModel):
    """A tenant's daily working intervals and time zone (one row per tenant).

    ``intervals`` is ``"HH:MM-HH:MM,HH:MM-HH:MM"`` (validated by the service);
    without a row the defaults apply (09:00-12:00, 13:30-18:00, Asia/Shanghai).
    """

    intervals = models.CharField(_("working hours"), max_length=200, default=DEFAULT_WORKING_HOURS)
    time_zone = models.CharField(_("time zone"), max_length=64, default=DEFAULT_TIME_ZONE)
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("working hours")
        verbose_name_plural = _("working hours")
        constraints = [
            models.UniqueConstraint(fields=["tenant"], name="working_hours_one_per_tenant")
        ]

    def __str__(self) -> str:
        return self.intervals


class TenantWorkday(TenantModel):
    """A tenant's own day off (``is_workday=False``) or working day; wins over the
    official calendar (e.g. a company outing, or a Saturday the company works)."""

    date = models.DateField(_("date"))
    is_workday = models.BooleanField(_("working day"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("company working day")
        verbose_name_plural = _("company working days")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "date"], name="tenant_workday_unique_date")
        ]

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {'+' if self.is_workday else '-'}"


# --- complaints ------------------------------------------------------------------


class Complaint(ComplaintProcessMixin, TenantModel):
    """A customer complaint with SLA deadlines in working hours (see workflows/complaint.py)."""

    class Channel(models.TextChoices):
        PHONE = "phone", _("phone")
        EMAIL = "email", _("e-mail")
        WECHAT = "wechat", _("WeChat")
        VISIT = "visit", _("visit")
        WEBSITE = "website", _("website")
        OTHER = "other", _("other")

    class Category(models.TextChoices):
        PRODUCT = "product", _("product quality")
        SERVICE = "service", _("service attitude")
        DELIVERY = "delivery", _("delivery")
        BILLING = "billing", _("billing")
        OTHER = "other", _("other")

    customer = _customer_fk("complaints")
    contact = models.ForeignKey(
        "customers.Contact",
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="complaints",
    )
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.PHONE
    )
    severity = models.CharField(
        _("severity"), max_length=10, choices=Severity.choices, default=Severity.NORMAL
    )
    category = models.CharField(
        _("category"), max_length=10, choices=Category.choices, default=Category.OTHER
    )
    description = models.TextField(_("description"))
    owner = _user_fk(_("owner"))
    received_at = models.DateTimeField(_("received at"))
    acknowledge_due_at = models.DateTimeField(_("acknowledge by"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    resolve_started_at = models.DateTimeField(_("resolve clock started"), null=True, blank=True)
    resolve_due_at = models.DateTimeField(_("resolve by"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    resolution = models.TextField(_("resolution"), blank=True)
    reopen_count = models.PositiveIntegerField(_("times reopened"), default=0)
    breached = models.BooleanField(_("SLA breached"), default=False)
    search_key = models.TextField(editable=False, default="")
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = _user_fk(None, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        indexes = [
            models.Index(fields=["tenant", "status", "-received_at"]),
            models.Index(fields=["tenant", "owner", "-received_at"]),
            models.Index(fields=["tenant", "customer"]),
        ]

    def __str__(self) -> str:
        return f"{self.customer} #{self.pk}" if self.customer_id else f"#{self.pk}"


class ComplaintBreach(TenantModel):
    """A missed SLA deadline of a complaint (one per deadline), for the SLA report."""

    complaint = models.ForeignKey(
        Complaint, verbose_name=_("complaint"), on_delete=models.CASCADE, related_name="breaches"
    )
    kind = models.CharField(_("deadline"), max_length=12, choices=BreachKind.choices)
    due_at = models.DateTimeField(_("deadline"))
    owner = _user_fk(_("owner"), on_delete=models.SET_NULL)
    escalated_at = models.DateTimeField(_("escalated to managers at"), null=True, blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("SLA breach")
        verbose_name_plural = _("SLA breaches")
        constraints = [
            models.UniqueConstraint(
                fields=["complaint", "kind", "due_at"], name="complaint_breach_once_per_deadline"
            )
        ]
        indexes = [models.Index(fields=["tenant", "owner"])]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.kind} {self.due_at:%Y-%m-%d %H:%M}"


# --- follow-ups ------------------------------------------------------------------

#: The records a follow-up may point at: exactly one is set (a new target: add a
#: nullable FK, append the name here, makemigrations: the constraint is rebuilt
#: from this tuple).
TARGET_FIELDS: tuple[str, ...] = ("lead", "customer", "complaint", "opportunity", "contract")


def exactly_one_target_q(fields: tuple[str, ...] = TARGET_FIELDS) -> Q:
    """``Q`` that holds when exactly one of ``fields`` is not null."""
    options = [
        Q(
            **{f"{name}__isnull": False},
            **{f"{other}__isnull": True for other in fields if other != name},
        )
        for name in fields
    ]
    return reduce(or_, options)


def _target_fk(model: str, verbose, related: str):
    return models.ForeignKey(
        model,
        verbose_name=verbose,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name=related,
    )


class FollowUp(FollowUpProcessMixin, TenantModel):
    """A planned follow-up, return visit (回访) or care task on one record."""

    kind = models.CharField(
        _("kind"), max_length=15, choices=FollowUpKind.choices, default=FollowUpKind.FOLLOW_UP
    )
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    lead = _target_fk("customers.Lead", _("lead"), "follow_ups")
    customer = _target_fk("customers.Customer", _("customer"), "follow_ups")
    complaint = _target_fk(Complaint, _("complaint"), "follow_ups")
    opportunity = _target_fk("sales.Opportunity", _("opportunity"), "follow_ups")
    contract = _target_fk("sales.Contract", _("contract"), "follow_ups")
    owner = _user_fk(_("owner"))
    due_at = models.DateTimeField(_("due at"))
    outcome = models.TextField(_("outcome"), blank=True)
    satisfaction = models.PositiveSmallIntegerField(
        _("satisfaction"),
        null=True,
        blank=True,
        validators=[
            MinValueValidator(SATISFACTION_RANGE[0]),
            MaxValueValidator(SATISFACTION_RANGE[1]),
        ],
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    missed_at = models.DateTimeField(_("missed at"), null=True, blank=True)
    reschedule_count = models.PositiveIntegerField(_("times rescheduled"), default=0)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = _user_fk(None, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        indexes = [
            models.Index(fields=["tenant", "owner", "status", "due_at"]),
            models.Index(fields=["tenant", "status", "due_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=exactly_one_target_q(), name="followup_exactly_one_target"
            ),
            models.CheckConstraint(
                condition=Q(satisfaction__isnull=True)
                | Q(
                    satisfaction__gte=SATISFACTION_RANGE[0], satisfaction__lte=SATISFACTION_RANGE[1]
                ),
                name="followup_satisfaction_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return self.subject or f"{self.get_kind_display()} #{self.pk}"

    @property
    def target_field(self) -> str | None:
        return next((n for n in TARGET_FIELDS if getattr(self, f"{n}_id")), None)

    @property
    def target(self):
        name = self.target_field
        return getattr(self, name) if name else None


# --- tickets and projects ------------------------------------------------------


class ServiceTicket(TicketProcessMixin, TenantModel):
    """An after-sales service request (售后服务) of a customer."""

    class Priority(models.TextChoices):
        LOW = "low", _("low")
        NORMAL = "normal", _("normal")
        HIGH = "high", _("high")
        URGENT = "urgent", _("urgent")

    customer = _customer_fk("tickets")
    contract = _contract_fk("service_tickets")
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    owner = _user_fk(_("owner"))
    resolution = models.TextField(_("resolution"), blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    search_key = models.TextField(editable=False, default="")
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = _user_fk(None, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("service ticket")
        verbose_name_plural = _("service tickets")
        indexes = [
            models.Index(fields=["tenant", "status", "-created_at"]),
            models.Index(fields=["tenant", "owner", "-created_at"]),
        ]

    def __str__(self) -> str:
        return self.subject


class CustomerProject(ProjectProcessMixin, TenantModel):
    """A delivery or implementation project for a customer (客户项目)."""

    customer = _customer_fk("projects")
    contract = _contract_fk("customer_projects")
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    owner = _user_fk(_("project manager"))
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    planned_end = models.DateField(_("planned end"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    acceptance_note = models.TextField(_("acceptance note"), blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(_("cancellation reason"), max_length=300, blank=True)
    search_key = models.TextField(editable=False, default="")
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = _user_fk(None, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("customer project")
        verbose_name_plural = _("customer projects")
        indexes = [
            models.Index(fields=["tenant", "status", "-created_at"]),
            models.Index(fields=["tenant", "owner", "-created_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_start__isnull=True)
                | Q(planned_end__isnull=True)
                | Q(planned_end__gte=models.F("planned_start")),
                name="project_end_not_before_start",
            )
        ]

    def __str__(self) -> str:
        return self.name


# --- feedback ----------------------------------------------------------------------


class Feedback(TenantModel):
    """Customer feedback (客户意见): praise, a suggestion or anything else; handled or not."""

    class Kind(models.TextChoices):
        PRAISE = "praise", _("praise")
        SUGGESTION = "suggestion", _("suggestion")
        OTHER = "other", _("other")

    customer = _customer_fk("feedback")
    contact = models.ForeignKey(
        "customers.Contact",
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="feedback",
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.OTHER)
    text = models.TextField(_("text"))
    handled = models.BooleanField(_("handled"), default=False)
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    handled_by = _user_fk(_("handled by"), on_delete=models.SET_NULL)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = _user_fk(_("recorded by"), on_delete=models.SET_NULL)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("customer feedback")
        verbose_name_plural = _("customer feedback")
        indexes = [models.Index(fields=["tenant", "handled", "-created_at"])]

    def __str__(self) -> str:
        return self.text[:50]
