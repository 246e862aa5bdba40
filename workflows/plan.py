"""The Work plan process (工作计划): draft -> submitted -> reviewed.

A daily or weekly plan is submitted by its owner (with at least one item) and
reviewed by the leader of the owner's team (or of a team above it), never by
the owner, with a review comment. A submitted plan stays open to its leader's
review; a reviewed one is frozen.

The "no plan submitted yet" reminder is not a rule of this process (there is no
plan row to hang it on): ``crm.activities.services.plans.remind_missing_plans``
checks every workday after the tenant's ``plan_submit_hour``.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from crm.core.permissions import transition_code
from workflows.process import (
    GuardContext,
    Process,
    ReminderRule,
    Step,
    TransitionInputs,
    register,
    required_text,
)


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _lazy("draft")
    SUBMITTED = "submitted", _lazy("submitted")
    REVIEWED = "reviewed", _lazy("reviewed")


class PlanKind(models.TextChoices):
    DAILY = "daily", _lazy("daily plan")
    WEEKLY = "weekly", _lazy("weekly plan")


S = PlanStatus
REVIEW_RULE = "plan_waiting_review"


def _code(name: str) -> str:
    return transition_code("plan", name)


class PlanProcessMixin(ConcurrentTransitionMixin, models.Model):
    status = FSMField(_lazy("status"), default=S.DRAFT, choices=PlanStatus.choices, protected=True)
    submitted_at = models.DateTimeField(_lazy("submitted at"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_lazy("reviewed at"), null=True, blank=True)
    review_comment = models.TextField(_lazy("review comment"), blank=True)

    class Meta:
        abstract = True

    @property
    def is_frozen(self) -> bool:
        return self.status == S.REVIEWED

    @transition(status, source=S.DRAFT, target=S.SUBMITTED, permission=_code("submit"))
    def submit(self, actor=None):
        self.submitted_at = timezone.now()

    @transition(status, source=S.SUBMITTED, target=S.REVIEWED, permission=_code("review"))
    def review(self, actor=None, review_comment=""):
        self.reviewed_at = timezone.now()
        self.reviewer = actor
        self.review_comment = (review_comment or "").strip()


# --- guards -------------------------------------------------------------------


def has_items(plan, ctx: GuardContext):
    if not plan.items.exists():
        return _("Add at least one item to the plan.")
    return None


def own_plan(plan, ctx: GuardContext):
    """The owner submits (or someone whose data scope reaches beyond their own rows)."""
    actor = ctx.actor
    if actor is None or actor.pk == plan.owner_id or actor.data_scope != "own":
        return None
    return _("Only the plan's owner can submit it.")


def team_leader(plan, ctx: GuardContext):
    from crm.activities.selectors import plan_reviewers

    if ctx.actor is None:
        return _("Only a person can review.")
    if ctx.actor.pk == plan.owner_id:
        return _("You cannot review your own plan.")
    if ctx.actor.pk not in plan_reviewers(plan.owner):
        return _("Only the leader of the owner's team can review the plan.")
    return None


class PlanReviewInputs(TransitionInputs):
    review_comment = required_text(_lazy("review comment"), _lazy("Write a comment on the plan."))


STEPS = {
    "submit": Step("submit", _lazy("Submit"), guards=[has_items, own_plan]),
    "review": Step(
        "review", _lazy("Review"), guards=[team_leader], inputs=PlanReviewInputs, irreversible=True
    ),
}


def _review_message(plan):
    return (
        _("%(name)s submitted a plan for %(period)s")
        % {"name": plan.owner.display_name, "period": plan.period.isoformat()},
        _("Review it and leave a comment."),
    )


def _reviewer(plan):
    from crm.activities.selectors import plan_reviewer

    return plan_reviewer(plan.owner)


RULES = [
    # The leader hears of a submitted plan at once (the review is what they do with it).
    ReminderRule(
        REVIEW_RULE,
        S.SUBMITTED,
        due=lambda plan: plan.submitted_at,
        recipient=_reviewer,
        message=_review_message,
    ),
]


def register_process() -> Process:
    from crm.activities.models import WorkPlan

    return register(Process("plan", WorkPlan, STEPS, RULES, ui_path="/plans/{id}"))
