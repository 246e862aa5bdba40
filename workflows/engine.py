"""The one way a state moves: ``transition()``.

lock the row -> check the version -> check the state -> check the permission
-> run the guards -> apply (django-fsm) -> save -> TransitionLog + audit ->
cancel the reminders of the state left, schedule those of the state entered
-> side effects enqueued on commit.
"""

from __future__ import annotations

import inspect
from functools import partial
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed

from crm.core import audit
from crm.core.errors import (
    Conflict,
    GuardFailed,
    InvalidTransition,
    NotFound,
    PermissionRefused,
)
from crm.core.validators import strip_invisible
from workflows import events, reminders
from workflows.models import TransitionLog
from workflows.process import GuardContext, Process, Step, get_process


def _fsm_transition(obj: models.Model, process: Process, name: str):
    """The django-fsm Transition named ``name`` that leaves the current state, if any."""
    getter = getattr(obj, f"get_available_{process.field_name}_transitions")
    return next((t for t in getter() if t.name == name), None)


def _all_names(obj: models.Model, process: Process) -> set[str]:
    getter = getattr(obj, f"get_all_{process.field_name}_transitions")
    return {t.name for t in getter()}


def _accepted(method, inputs: dict[str, Any]) -> dict[str, Any]:
    """The inputs a transition method takes: a stray key in a request is not a 500."""
    params = inspect.signature(method).parameters.values()
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params):
        return inputs
    names = {p.name for p in params}
    return {k: v for k, v in inputs.items() if k in names}


def blocking_reasons(obj: models.Model, step: Step, ctx: GuardContext) -> list[str]:
    """Every reason a step is blocked: missing inputs first, then guards."""
    reasons: list[str] = []
    for key, message in step.required_inputs.items():
        value = ctx.inputs.get(key)
        if value is None or (isinstance(value, str) and not strip_invisible(value).strip()):
            reasons.append(str(message))
    for guard in step.guards:
        reason = guard(obj, ctx)
        if reason:
            reasons.append(str(reason))
    return reasons


def available_transitions(obj: models.Model, actor) -> list[dict[str, Any]]:
    """The transitions leaving the record's state, for this user, with reasons.

    Required inputs are not reported as reasons here: the UI asks for them,
    drawing each from ``inputs`` (the step's declared inputs, described).
    """
    process = get_process(obj)
    ctx = GuardContext(actor=actor, inputs={})
    out = []
    for fsm_t in getattr(obj, f"get_available_{process.field_name}_transitions")():
        step = process.step(fsm_t.name)
        if step is None:
            continue
        reasons: list[str] = []
        if not actor.has_code(process.code(step.name)):
            reasons.append(_("You do not have permission for this step."))
        for guard in step.guards:
            reason = guard(obj, ctx)
            if reason:
                reasons.append(str(reason))
        out.append(
            {
                "name": step.name,
                "label": str(step.label),
                "allowed": not reasons,
                "reasons": reasons,
                "irreversible": step.irreversible,
                "inputs": step.describe_inputs(),
            }
        )
    # Along the process: in the order its steps are declared (the web app shows them so).
    order = {name: i for i, name in enumerate(process.steps)}
    out.sort(key=lambda row: order.get(row["name"], len(order)))
    return out


def _plain(queryset: models.QuerySet, model: type[models.Model]) -> bool:
    """A queryset of whole ``model`` rows filtered only (no annotation, grouping,
    distinct, extra, slice, deferred field): its rows may be locked as they are."""
    query = queryset.query
    return (
        queryset.model is model
        and query.default_cols
        and not query.annotations
        and not query.extra
        and not query.distinct
        and query.group_by is None
        and query.combinator is None
        and not query.is_sliced
        and query.deferred_loading == (frozenset(), True)
    )


def _lock_query(model, pk, tenant, visible: models.QuerySet | None) -> models.QuerySet:
    """The row to change, locked; with ``visible``, only if it is among those rows.

    A plain scope is locked as it is (its filter, joins and all: one query to
    build, ``FOR UPDATE OF`` the record's table alone, the joined rows stay
    unlocked); any other as ``pk IN (<the scope>)``.
    """
    locked = model.objects.select_for_update()
    if visible is None:
        return locked.filter(pk=pk, tenant=tenant)
    if _plain(visible, model):
        return (
            visible.select_related(None)
            .select_for_update(of=("self",))
            .filter(pk=pk, tenant=tenant)
        )
    return locked.filter(pk=pk, tenant=tenant, pk__in=visible.filter(pk=pk).values("pk"))


def transition(
    *,
    model: type[models.Model],
    pk: int,
    name: str,
    tenant,
    actor,
    inputs: dict[str, Any] | None = None,
    expected_version: int | None = None,
    visible: models.QuerySet | None = None,
) -> models.Model:
    """Move one record through one named transition; ``actor=None`` is the system.

    ``visible``: the rows the caller may see (the API's data scope); the lock
    query checks the record is among them, so the API needs no read of its own
    before the lock (a record outside is NotFound, as a deleted one).

    Raises NotFound (404: the row is gone), InvalidTransition (409), Conflict (409),
    PermissionRefused (403) or GuardFailed (400, with reasons). Returns the saved record.
    """
    process = get_process(model)
    step = process.step(name)
    inputs = dict(inputs or {})
    comment = str(inputs.pop("comment", "") or "")
    ctx = GuardContext(actor=actor, inputs=inputs, applying=True)

    with transaction.atomic():
        obj = _lock_query(model, pk, tenant, visible).first()
        if obj is None:  # deleted meanwhile, or outside the caller's scope
            raise NotFound()
        # The tenant in hand, not read again by the guards and reminder rules
        # (its settings: the daily claim cap, the reminders' delays).
        if isinstance(tenant, models.Model):
            obj.tenant = tenant
        if expected_version is not None and obj.version != expected_version:
            raise Conflict()
        if step is None or name not in _all_names(obj, process):
            raise InvalidTransition(_("Unknown step “%(name)s”.") % {"name": name})
        if actor is not None and not actor.has_code(process.code(name)):
            raise PermissionRefused()
        fsm_t = _fsm_transition(obj, process, name)
        if fsm_t is None:
            raise InvalidTransition()
        reasons = blocking_reasons(obj, step, ctx)
        if reasons:
            raise GuardFailed(reasons=reasons)

        source = getattr(obj, process.field_name)
        try:
            method = getattr(obj, name)
            method(actor=actor, **_accepted(method, inputs))
        except TransitionNotAllowed as exc:  # a condition changed under us
            raise InvalidTransition() from exc
        target = getattr(obj, process.field_name)
        for work in step.in_transaction:
            work(obj, ctx)  # may create related rows and set fields on obj
        obj.version += 1
        obj.save()  # ConcurrentTransitionMixin refuses a stale state

        changes = {process.field_name: [source, target]}
        changes.update({k: audit.json_value(v) for k, v in inputs.items()})
        # The log row and the audit entry in one statement (one round trip, no ORM
        # insert built; neither row is read back).
        audit.record_with(
            tenant=tenant,
            actor=actor,
            action=f"transition:{name}",
            obj=obj,
            changes=changes,
            also=(
                TransitionLog,
                {
                    "tenant": tenant.pk,
                    "content_type": ContentType.objects.get_for_model(model).pk,
                    "object_id": obj.pk,
                    "process": process.name,
                    "transition": name,
                    "source": source,
                    "target": target,
                    "actor": actor.pk if actor is not None else None,
                    "comment": comment,
                },
            ),
        )
        reminders.on_state_change(obj, process, source=source, target=target)
        for effect in step.after_commit:
            transaction.on_commit(partial(effect, obj.pk))
        events.on_commit_transition(
            model=model, pk=obj.pk, process=process.name, transition=name, tenant_id=tenant.pk
        )
    return obj
