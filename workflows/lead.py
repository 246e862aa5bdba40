"""The Lead process (潜在客户): new -> contacted -> qualified -> converted.

new|contacted|qualified -> disqualified; any open state -> pooled (public
pool, no owner); pooled -> new (claimed). See SPEC.md §3.
"""

from __future__ import annotations

import datetime as dt
import functools

from django.db import connection, models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from rest_framework import serializers

from crm.core.permissions import transition_code
from workflows.process import (
    GuardContext,
    Process,
    ReminderRule,
    Step,
    TransitionInputs,
    lock_actor,
    register,
    required_text,
)


class LeadStatus(models.TextChoices):
    NEW = "new", gettext_lazy("new")
    CONTACTED = "contacted", gettext_lazy("contacted")
    QUALIFIED = "qualified", gettext_lazy("qualified")
    CONVERTED = "converted", gettext_lazy("converted")
    DISQUALIFIED = "disqualified", gettext_lazy("disqualified")
    POOLED = "pooled", gettext_lazy("in public pool")


OPEN = [LeadStatus.NEW, LeadStatus.CONTACTED, LeadStatus.QUALIFIED]


def _code(name: str) -> str:
    return transition_code("lead", name)


class LeadProcessMixin(ConcurrentTransitionMixin, models.Model):
    """State field and transitions of a lead; bodies change fields only."""

    status = FSMField(
        gettext_lazy("status"), default=LeadStatus.NEW, choices=LeadStatus.choices, protected=True
    )
    disqualify_reason = models.CharField(
        gettext_lazy("disqualification reason"), max_length=300, blank=True
    )

    class Meta:
        abstract = True

    @transition(
        status, source=LeadStatus.NEW, target=LeadStatus.CONTACTED, permission=_code("contact")
    )
    def contact(self, actor=None):
        pass

    @transition(
        status,
        source=LeadStatus.CONTACTED,
        target=LeadStatus.QUALIFIED,
        permission=_code("qualify"),
    )
    def qualify(self, actor=None):
        pass

    @transition(
        status,
        source=LeadStatus.QUALIFIED,
        target=LeadStatus.CONVERTED,
        permission=_code("convert"),
    )
    def convert(self, actor=None, customer=None):
        pass

    @transition(status, source=OPEN, target=LeadStatus.DISQUALIFIED, permission=_code("disqualify"))
    def disqualify(self, actor=None, reason: str = ""):
        self.disqualify_reason = reason.strip()

    @transition(status, source=OPEN, target=LeadStatus.POOLED, permission=_code("pool"))
    def pool(self, actor=None):
        self.owner = None
        self.owned_since = None
        self.pooled_at = timezone.now()

    @transition(status, source=LeadStatus.POOLED, target=LeadStatus.NEW, permission=_code("claim"))
    def claim(self, actor=None):
        self.owner = actor
        self.owned_since = timezone.now()
        self.pooled_at = None


# --- guards: pure functions returning a reason, or None -----------------------


def has_logged_activity(lead, ctx: GuardContext):
    if lead.activity_count < 1:
        return _("Log a call, visit or other activity with this lead first.")
    return None


def has_phone_or_email(lead, ctx: GuardContext):
    if not (lead.mobile or lead.email):
        return _("Enter a mobile number or an e-mail address first.")
    return None


def has_need(lead, ctx: GuardContext):
    if not (lead.need or "").strip():
        return _("Describe the lead's need first.")
    return None


def no_duplicate_customer(lead, ctx: GuardContext):
    """A lead converts into a new customer only when none matches it (or it is merged)."""
    from crm.customers.selectors import find_duplicate_customer

    if ctx.inputs.get("customer"):
        return None  # converting into a chosen existing customer (merge)
    duplicate, field = find_duplicate_customer(
        tenant_id=lead.tenant_id,
        name=lead.company_name,
        credit_code=lead.credit_code,
        mobile=lead.mobile,
    )
    if duplicate is None:
        return None
    return _(
        "A customer with the same %(field)s already exists: “%(name)s” (#%(id)s). "
        "Convert into that customer or change the lead."
    ) % {"field": field, "name": duplicate.name, "id": duplicate.pk}


def merge_target_exists(lead, ctx: GuardContext):
    from crm.customers.models import Customer

    target = ctx.inputs.get("customer")
    if target and not Customer.objects.filter(tenant_id=lead.tenant_id, pk=target).exists():
        return _("The customer to convert into does not exist.")
    return None


def claimed_by_a_person(lead, ctx: GuardContext):
    if ctx.actor is None:
        return _("Only a person can claim a lead.")
    return None


@functools.cache
def _claims_since_sql() -> str:
    """The count of a user's claims since a moment, as a fixed text: built once, and
    prepared by the server after a few runs (the ORM's count built this small query
    anew for every claim and for every pooled lead's answer, its ``transitions``)."""
    from workflows.models import TransitionLog

    meta = TransitionLog._meta
    table = connection.ops.quote_name(meta.db_table)

    def column(name: str) -> str:
        return connection.ops.quote_name(meta.get_field(name).column)

    return (
        f"SELECT COUNT(*) FROM {table} WHERE {column('tenant')} = %s AND {column('actor')} = %s"
        f" AND {column('process')} = 'lead' AND {column('transition')} = 'claim'"
        f" AND {column('created_at')} >= %s"
    )


def under_daily_claim_cap(lead, ctx: GuardContext):
    if ctx.actor is None:
        return None
    lock_actor(ctx)  # two claims at once must not both pass the cap
    cap = lead.tenant.setting("daily_claim_cap")
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    with connection.cursor() as cursor:
        since = connection.ops.adapt_datetimefield_value(start)
        cursor.execute(_claims_since_sql(), [lead.tenant_id, ctx.actor.pk, since])
        claimed = cursor.fetchone()[0]
    if claimed >= cap:
        return _("You have claimed %(n)d leads today, the daily limit.") % {"n": claimed}
    return None


def create_customer_from_lead(lead, ctx: GuardContext) -> None:
    from crm.customers.services import customer_for_converted_lead

    lead.customer = customer_for_converted_lead(
        lead=lead, actor=ctx.actor, into_customer_id=ctx.inputs.get("customer")
    )


# --- reminder rules -----------------------------------------------------------


def _owned_since(lead) -> dt.datetime:
    return lead.owned_since or lead.created_at


def _first_contact_due(lead):
    return _owned_since(lead) + dt.timedelta(
        hours=lead.tenant.setting("lead_first_contact_sla_hours")
    )


def _first_contact_escalation_due(lead):
    extra = dt.timedelta(hours=lead.tenant.setting("lead_escalation_hours"))
    return _first_contact_due(lead) + extra


def _idle_base(lead) -> dt.datetime:
    last = lead.last_activity_at
    owned = _owned_since(lead)
    return max(last, owned) if last else owned


def _pool_due(lead):
    if lead.owner_id is None:
        return None
    return _idle_base(lead) + dt.timedelta(days=lead.tenant.setting("pool_idle_days"))


def _pool_warning_due(lead):
    warn = lead.tenant.setting("pool_warning_days")
    due = _pool_due(lead)
    if due is None or warn <= 0:
        return None
    return due - dt.timedelta(days=warn)


def _owner(lead):
    return lead.owner


def _team_leader(lead):
    owner = lead.owner
    if owner is None or owner.team_id is None:
        return None
    team_field = type(owner)._meta.get_field("team")
    if not team_field.is_cached(owner):
        # The team with its leader in one query (not one each), kept on the owner.
        owner.team = team_field.related_model._base_manager.select_related("leader").get(
            pk=owner.team_id
        )
    leader = owner.team.leader
    return leader if leader is not None and leader.pk != owner.pk else None


def _first_contact_message(lead):
    return (
        _("Lead “%(name)s” has not been contacted in time") % {"name": lead.company_name},
        _("The lead “%(name)s” is still new: contact it and log the activity.")
        % {"name": lead.company_name},
    )


def _escalation_message(lead):
    owner = lead.owner.display_name if lead.owner else "-"
    return (
        _("Lead “%(name)s” of %(owner)s is overdue for first contact")
        % {"name": lead.company_name, "owner": owner},
        _("The lead “%(name)s” owned by %(owner)s has passed its first-contact deadline.")
        % {"name": lead.company_name, "owner": owner},
    )


def _pool_warning_message(lead):
    return (
        _("Lead “%(name)s” returns to the public pool soon") % {"name": lead.company_name},
        _("Without a follow-up the lead “%(name)s” returns to the public pool in %(days)d days.")
        % {"name": lead.company_name, "days": lead.tenant.setting("pool_warning_days")},
    )


def _pooled_message(lead):
    return (
        _("Lead “%(name)s” returned to the public pool") % {"name": lead.company_name},
        _("The lead “%(name)s” had no follow-up for %(days)d days and returned to the public pool.")
        % {"name": lead.company_name, "days": lead.tenant.setting("pool_idle_days")},
    )


def _return_to_pool(lead, reminder) -> None:
    from workflows.engine import transition

    transition(
        model=type(lead),
        pk=lead.pk,
        name="pool",
        tenant=lead.tenant,
        actor=None,
        inputs={"comment": "auto-reclaim"},
    )


IDLE_RULES = ("lead.pool_warning", "lead.auto_pool")


class LeadConvertInputs(TransitionInputs):
    customer = serializers.IntegerField(
        label=gettext_lazy("merge into an existing customer"),
        required=False,
        min_value=1,
        max_value=2**63 - 1,
        style={"input": "ref", "ref": "customers"},
    )


class LeadDisqualifyInputs(TransitionInputs):
    reason = required_text(
        gettext_lazy("disqualification reason"),
        gettext_lazy("Give the reason for disqualifying."),
        max_length=300,
    )


STEPS = {
    "contact": Step("contact", gettext_lazy("Mark contacted"), guards=[has_logged_activity]),
    "qualify": Step("qualify", gettext_lazy("Qualify"), guards=[has_phone_or_email, has_need]),
    "convert": Step(
        "convert",
        gettext_lazy("Convert to customer"),
        guards=[merge_target_exists, no_duplicate_customer],
        inputs=LeadConvertInputs,
        irreversible=True,
        in_transaction=[create_customer_from_lead],
    ),
    "disqualify": Step(
        "disqualify",
        gettext_lazy("Disqualify"),
        inputs=LeadDisqualifyInputs,
        irreversible=True,
    ),
    "pool": Step("pool", gettext_lazy("Return to public pool")),
    "claim": Step(
        "claim", gettext_lazy("Claim"), guards=[claimed_by_a_person, under_daily_claim_cap]
    ),
}

RULES = [
    ReminderRule(
        "lead.first_contact",
        LeadStatus.NEW,
        due=_first_contact_due,
        recipient=_owner,
        message=_first_contact_message,
    ),
    ReminderRule(
        "lead.first_contact_escalation",
        LeadStatus.NEW,
        due=_first_contact_escalation_due,
        recipient=_team_leader,
        message=_escalation_message,
    ),
    ReminderRule(
        "lead.pool_warning",
        tuple(OPEN),
        due=_pool_warning_due,
        recipient=_owner,
        message=_pool_warning_message,
    ),
    ReminderRule(
        "lead.auto_pool",
        tuple(OPEN),
        due=_pool_due,
        recipient=_owner,
        message=_pooled_message,
        action=_return_to_pool,
    ),
]


def register_process() -> Process:
    from crm.customers.models import Lead

    return register(Process("lead", Lead, STEPS, RULES, ui_path="/leads/{id}"))
