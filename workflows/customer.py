"""The customer pool process (客户公海): owned <-> pooled.

A customer with no activity for the tenant's idle days (per customer level when
an override exists) warns its owner ``customer_pool_warning_days`` before, then
returns to the pool by the worker as the system actor (the ``auto_pool``
reminder, delivered once). A new activity or follow-up, or a new owner, plans
both reminders again. An owner releases a customer with a reason; any rep
claims one from the pool within a daily cap. The customer keeps its history:
only the owner and the clocks change.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

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


class CustomerStatus(models.TextChoices):
    OWNED = "owned", gettext_lazy("owned")
    POOLED = "pooled", gettext_lazy("in public pool")


S = CustomerStatus
IDLE_RULES = ("customer.pool_warning", "customer.auto_pool")


def _code(name: str) -> str:
    return transition_code("customer", name)


class CustomerProcessMixin(ConcurrentTransitionMixin, models.Model):
    """Pool state and clocks of a customer; transition bodies change fields only."""

    status = FSMField(
        gettext_lazy("pool status"), default=S.OWNED, choices=S.choices, protected=True
    )
    owned_since = models.DateTimeField(gettext_lazy("owned since"), null=True, blank=True)
    last_activity_at = models.DateTimeField(gettext_lazy("last activity"), null=True, blank=True)
    pooled_at = models.DateTimeField(gettext_lazy("returned to pool at"), null=True, blank=True)
    release_reason = models.CharField(
        gettext_lazy("reason returned to the pool"), max_length=300, blank=True
    )

    class Meta:
        abstract = True

    @transition(status, source=S.OWNED, target=S.POOLED, permission=_code("release"))
    def release(self, actor=None, reason: str = ""):
        self.owner = None
        self.owned_since = None
        self.pooled_at = timezone.now()
        self.release_reason = (reason or "").strip()

    @transition(status, source=S.POOLED, target=S.OWNED, permission=_code("claim"))
    def claim(self, actor=None):
        self.owner = actor
        self.owned_since = timezone.now()
        self.pooled_at = None
        self.release_reason = ""


# --- guards -------------------------------------------------------------------


def claimed_by_a_person(customer, ctx: GuardContext):
    if ctx.actor is None:
        return _("Only a person can claim a customer.")
    return None


def claims_today(*, tenant_id: int, actor) -> int:
    """Customers ``actor`` claimed from the pool since local midnight."""
    from workflows.models import TransitionLog

    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    return TransitionLog.objects.filter(
        tenant_id=tenant_id,
        actor=actor,
        process="customer",
        transition="claim",
        created_at__gte=start,
    ).count()


def under_daily_claim_cap(customer, ctx: GuardContext):
    if ctx.actor is None:
        return None
    lock_actor(ctx)  # two claims at once must not both pass the cap
    cap = customer.tenant.setting("customer_daily_claim_cap")
    claimed = claims_today(tenant_id=customer.tenant_id, actor=ctx.actor)
    if claimed >= cap:
        return _("You have claimed %(n)d customers today, the daily limit.") % {"n": claimed}
    return None


# --- reminder rules -------------------------------------------------------------


def idle_days(customer) -> int:
    """The customer's idle days: its level's override, else the tenant setting."""
    from crm.customers.models import PoolLevelRule

    tenant = customer.tenant
    overrides = getattr(tenant, "_pool_level_days", None)
    if overrides is None:  # once per tenant object (bulk paths share it)
        overrides = dict(
            PoolLevelRule.objects.filter(tenant_id=tenant.pk).values_list("level_id", "idle_days")
        )
        tenant._pool_level_days = overrides
    return overrides.get(customer.level_id) or tenant.setting("customer_pool_idle_days")


def _idle_base(customer) -> dt.datetime:
    owned = customer.owned_since or customer.created_at
    last = customer.last_activity_at
    return max(last, owned) if last else owned


def pool_due(customer):
    if customer.owner_id is None:
        return None
    return _idle_base(customer) + dt.timedelta(days=idle_days(customer))


def _pool_warning_due(customer):
    warn = customer.tenant.setting("customer_pool_warning_days")
    due = pool_due(customer)
    if due is None or warn <= 0:
        return None
    return due - dt.timedelta(days=warn)


def _owner(customer):
    return customer.owner


def _warning_message(customer):
    return (
        _("Customer “%(name)s” returns to the public pool soon") % {"name": customer.name},
        _(
            "Without an activity or follow-up the customer “%(name)s” returns to the "
            "public pool in %(days)d days."
        )
        % {"name": customer.name, "days": customer.tenant.setting("customer_pool_warning_days")},
    )


def _pooled_message(customer):
    return (
        _("Customer “%(name)s” returned to the public pool") % {"name": customer.name},
        _(
            "The customer “%(name)s” had no activity for %(days)d days and returned to "
            "the public pool."
        )
        % {"name": customer.name, "days": idle_days(customer)},
    )


def _return_to_pool(customer, reminder) -> None:
    from workflows.engine import transition as run

    run(
        model=type(customer),
        pk=customer.pk,
        name="release",
        tenant=customer.tenant,
        actor=None,
        inputs={"comment": "auto-reclaim", "reason": _("No activity within the idle days.")},
    )


class CustomerReleaseInputs(TransitionInputs):
    reason = required_text(
        gettext_lazy("reason returned to the pool"),
        gettext_lazy("Give the reason for returning the customer to the pool."),
        max_length=300,
    )


STEPS = {
    "release": Step("release", gettext_lazy("Return to public pool"), inputs=CustomerReleaseInputs),
    "claim": Step(
        "claim", gettext_lazy("Claim"), guards=[claimed_by_a_person, under_daily_claim_cap]
    ),
}

RULES = [
    ReminderRule(
        "customer.pool_warning",
        S.OWNED,
        due=_pool_warning_due,
        recipient=_owner,
        message=_warning_message,
    ),
    ReminderRule(
        "customer.auto_pool",
        S.OWNED,
        due=pool_due,
        recipient=_owner,
        message=_pooled_message,
        action=_return_to_pool,
    ),
]


def register_process() -> Process:
    from crm.customers.models import Customer

    return register(Process("customer", Customer, STEPS, RULES, ui_path="/customers/{id}"))
