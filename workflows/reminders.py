"""Reminder rules in action: schedule on entering a state, cancel on leaving,
deliver exactly once.

The ``Reminder`` row is the source of truth (DESIGN.md §2.6). Delivery locks
the row, re-checks it is still due and its target still in the rule's state,
then notifies (or acts) and marks it sent, so a message delivered twice or a
tick run twice does nothing twice.

``deliver_many`` does the same for a batch of ids with a few queries per batch
(rows locked in id order, targets loaded per model, notifications inserted and
statuses updated in bulk); a reminder that fails is reported as ``FAILED`` and
the others are delivered all the same.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.utils import timezone, translation

from workflows.models import Reminder
from workflows.process import Process, ReminderRule, get_process

log = logging.getLogger(__name__)

# A recomputed due moment later than the stored one by more than this is stale.
STALE_TOLERANCE_SECONDS = 1
# The outcome of a reminder whose delivery raised (``deliver_many``): retry it alone.
FAILED = "failed"
OPEN = (Reminder.Status.PENDING, Reminder.Status.CLAIMED)


def _build(obj: models.Model, rule: ReminderRule, state: str) -> Reminder | None:
    due = rule.due(obj)
    if due is None:
        return None
    recipient = rule.recipient(obj)
    if recipient is None and rule.action is None:
        return None
    return Reminder(
        tenant_id=obj.tenant_id,
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=True),
        object_id=obj.pk,
        rule=rule.name,
        state=state,
        due_at=due,
        recipient=recipient,
    )


def schedule(obj: models.Model, process: Process, state: str, rules: Iterable[ReminderRule]):
    rows = [r for rule in rules if rule.applies_to(state) and (r := _build(obj, rule, state))]
    if rows:
        Reminder.objects.bulk_create(rows)
    return rows


def cancel(obj: models.Model, *, state: str | None = None, rules: Iterable[str] | None = None):
    """Cancel pending (or claimed) reminders of a record, for a state or named rules."""
    qs = Reminder.objects.filter(
        tenant_id=obj.tenant_id,
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=True),
        object_id=obj.pk,
        status__in=[Reminder.Status.PENDING, Reminder.Status.CLAIMED],
    )
    if state is not None:
        qs = qs.filter(state=state)
    if rules is not None:
        qs = qs.filter(rule__in=list(rules))
    return qs.update(status=Reminder.Status.CANCELLED)


def on_state_change(obj: models.Model, process: Process, *, source: str, target: str) -> None:
    # A reminder's ``state`` is always that of a rule of its process (``_build``,
    # ``schedule_many``, the calendar's own rule): a state no rule applies to has
    # nothing to cancel, and leaving it costs no query (e.g. a lead claimed from the pool).
    if source != target and any(rule.applies_to(source) for rule in process.reminder_rules):
        cancel(obj, state=source)
    schedule(obj, process, target, process.reminder_rules)


def on_create(obj: models.Model) -> None:
    """Schedule the reminders of a new record's initial state."""
    process = get_process(obj)
    schedule(obj, process, getattr(obj, process.field_name), process.reminder_rules)


def reschedule(obj: models.Model, rule_names: Iterable[str]) -> None:
    """Recompute named rules of the record's current state (e.g. after an activity)."""
    process = get_process(obj)
    names = set(rule_names)
    cancel(obj, rules=names)
    state = getattr(obj, process.field_name)
    schedule(obj, process, state, [r for r in process.reminder_rules if r.name in names])


def schedule_many(
    model: type[models.Model],
    *,
    tenant,
    created: Iterable[int] = (),
    again: dict[int, frozenset[str] | None] | None = None,
    related: Iterable[str] = (),
) -> int:
    """The rules of many records' current state in a few queries (imports, bulk paths).

    ``created``: ids of new records, every rule of their state; ``again``: id ->
    the rule names to plan again (None: all), whose open reminders are
    cancelled first. The same rules as ``on_create`` and ``reschedule``; a
    process with an SQL plan (``SQL_PLANS``, PostgreSQL) gets its rows from one
    ``INSERT ... SELECT`` per set of rule names, the others one ``bulk_create``
    of rows its Python rules built; ``related`` is what those rules read (owner,
    team). Returns the number of reminders scheduled.
    """
    again = dict(again or {})
    plan: dict[int, frozenset[str] | None] = {pk: None for pk in created}
    if not plan and not again:
        return 0
    ct = ContentType.objects.get_for_model(model, for_concrete_model=True)
    groups: dict[frozenset[str] | None, list[int]] = defaultdict(list)
    for pk, names in again.items():
        groups[names].append(pk)
    for names, ids in groups.items():
        qs = Reminder.objects.filter(
            tenant=tenant, content_type=ct, object_id__in=ids, status__in=OPEN
        )
        if names is not None:
            qs = qs.filter(rule__in=list(names))
        qs.update(status=Reminder.Status.CANCELLED)
    plan.update(again)
    process = get_process(model)
    sql_plan = SQL_PLANS.get(process.name)
    if (
        connection.vendor == "postgresql"
        and sql_plan is not None
        and {r.name for r in process.reminder_rules} <= sql_plan[0]
    ):
        return _plan_in_database(process, ct, tenant, plan)
    return _plan_in_python(model, process, tenant, plan, related)


def _plan_in_python(model, process: Process, tenant, plan, related) -> int:
    """The rows the Python rules build for ``plan`` (id -> rule names or None), one
    ``bulk_create`` for all."""
    rows = []
    for obj in model.objects.filter(tenant=tenant, pk__in=list(plan)).select_related(*related):
        obj.tenant = tenant  # rules read the tenant's settings
        state = getattr(obj, process.field_name)
        names = plan[obj.pk]
        for rule in process.reminder_rules:
            if (names is None or rule.name in names) and rule.applies_to(state):
                reminder = _build(obj, rule, state)
                if reminder is not None:
                    rows.append(reminder)
    Reminder.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def _plan_in_database(process: Process, ct, tenant, plan) -> int:
    """The same rows as ``_plan_in_python``, made by the database from the records
    as stored: one ``INSERT ... SELECT`` per set of rule names (an import plans
    every rule of its rows: one statement). At 20,000 imported customers the
    Python path spent seconds loading them and building 40,000 ``Reminder``s."""
    by_names: dict[frozenset[str] | None, list[int]] = defaultdict(list)
    for pk, names in plan.items():
        by_names[names].append(pk)
    table = Reminder._meta.db_table
    now = timezone.now()
    total = 0
    with connection.cursor() as cursor:
        for names, ids in by_names.items():
            select, params = SQL_PLANS[process.name][1](tenant)
            wanted = [r.name for r in process.reminder_rules if names is None or r.name in names]
            if not wanted:
                continue
            cursor.execute(
                f'INSERT INTO "{table}" (tenant_id, content_type_id, object_id, rule, state, '
                "due_at, recipient_id, status, attempts, created_at, note) "
                "SELECT p.tenant_id, %(_ct)s, p.object_id, p.rule, p.state, p.due_at, "
                "p.recipient_id, %(_pending)s, 0, %(_now)s, '' "
                f"FROM ({select}) p WHERE p.due_at IS NOT NULL "
                "AND (p.recipient_id IS NOT NULL OR p.has_action) "
                "AND p.rule = ANY(%(_rules)s) ORDER BY p.object_id, p.ord",
                {
                    **params,
                    "_tenant": tenant.pk,
                    "_ids": ",".join(str(int(pk)) for pk in ids),
                    "_ct": ct.pk,
                    "_pending": Reminder.Status.PENDING,
                    "_now": now,
                    "_rules": wanted,
                },
            )
            total += cursor.rowcount
    return total


def _customer_idle_sql(tenant) -> tuple[str, dict]:
    """``workflows.customer``'s two idle rules in SQL, for the records of
    ``%(_tenant)s`` whose ids are in ``%(_ids)s`` (a comma-joined string).

    The same moments as ``pool_due`` and ``_pool_warning_due``: owned customers
    with an owner only; the base is the later of the last activity and the
    owner's start (else the creation); the idle days are the level's rule, else
    the tenant's setting; the warning comes the tenant's warning days before
    (none when they are 0). Days are 24 hours, as ``timedelta(days=...)``.
    The recipient is the owner (``_owner``). ``tests/imports/test_reminders_in_database.py``
    compares the rows with the Python rules'.
    """
    from crm.customers.models import Customer, PoolLevelRule
    from workflows.customer import CustomerStatus

    customers = Customer._meta.db_table
    levels = PoolLevelRule._meta.db_table
    select = (
        "SELECT c.tenant_id, c.id AS object_id, c.status AS state, c.owner_id AS recipient_id, "
        "r.ord, r.rule, r.has_action, "
        "CASE WHEN r.rule = 'customer.auto_pool' THEN d.due "
        "WHEN %(_warn)s > 0 THEN d.due - %(_warn)s * interval '24 hours' END AS due_at "
        f'FROM "{customers}" c '
        f'LEFT JOIN "{levels}" l ON l.tenant_id = c.tenant_id AND l.level_id = c.level_id '
        "CROSS JOIN LATERAL (SELECT GREATEST(c.last_activity_at, "
        "COALESCE(c.owned_since, c.created_at)) "
        "+ COALESCE(NULLIF(l.idle_days, 0), %(_idle)s) * interval '24 hours' AS due) d "
        "CROSS JOIN (VALUES (0, 'customer.pool_warning', false), "
        "(1, 'customer.auto_pool', true)) r(ord, rule, has_action) "
        "WHERE c.tenant_id = %(_tenant)s "
        "AND c.id = ANY(string_to_array(%(_ids)s, ',')::bigint[]) "
        "AND c.status = %(_owned)s AND c.owner_id IS NOT NULL"
    )
    params = {
        "_warn": tenant.setting("customer_pool_warning_days"),
        "_idle": tenant.setting("customer_pool_idle_days"),
        "_owned": CustomerStatus.OWNED,
    }
    return select, params


#: Process name -> (the rule names it covers, its rules in SQL for
#: ``_plan_in_database``: a function of the tenant returning a SELECT of
#: (tenant_id, object_id, state, recipient_id, ord, rule, has_action, due_at)
#: rows and its parameters). A process with a rule not covered, or not here (its
#: rules read the working-day calendar, team leaders...), plans in Python.
SQL_PLANS = {
    "customer": (frozenset({"customer.pool_warning", "customer.auto_pool"}), _customer_idle_sql)
}


def cancel_many(model: type[models.Model], *, tenant, ids: Iterable[int], note: str = "") -> int:
    """Cancel the open reminders of many records at once (a reverted import's rows)."""
    return Reminder.objects.filter(
        tenant=tenant,
        content_type=ContentType.objects.get_for_model(model, for_concrete_model=True),
        object_id__in=list(ids),
        status__in=OPEN,
    ).update(status=Reminder.Status.CANCELLED, note=note)


HELD = "held"


def release_held(ids: Iterable[int]) -> set[int]:
    """The reminders of ``ids`` whose module their company switched off, put back to
    pending (not delivered, not dropped): the scheduler claims them again once the
    module is back on (``crm.core.modules``)."""
    from crm.core.modules import held_reminders_q

    held_q = held_reminders_q()
    if held_q is None:
        return set()
    with transaction.atomic():
        held = set(
            Reminder.objects.select_for_update(of=("self",))
            .filter(held_q, pk__in=list(ids), status__in=OPEN)
            .values_list("pk", flat=True)
        )
        if held:
            Reminder.objects.filter(pk__in=held).update(
                status=Reminder.Status.PENDING, claimed_at=None
            )
    return held


def deliver(reminder_id: int) -> str:
    """Deliver one reminder; idempotent. Returns what happened (for logs and tests).

    Must run with tenant scopes disabled (the actor does that).
    """
    from crm.activities.services import notify

    if release_held([reminder_id]):
        return HELD
    with transaction.atomic():
        reminder = (
            Reminder.objects.select_for_update(of=("self",))
            .filter(pk=reminder_id)
            .select_related("recipient")
            .first()
        )
        if reminder is None:
            return "missing"
        if reminder.status not in OPEN:
            return "done-already"
        model = ContentType.objects.get_for_id(reminder.content_type_id).model_class()
        process = get_process(model)
        rule = process.rule(reminder.rule)
        # Rules read the tenant's settings: load it with the record (one query less).
        obj = model.objects.filter(pk=reminder.object_id).select_related("tenant").first()
        reason = _why_not(reminder, process, rule, obj)
        if reason:
            reminder.status = Reminder.Status.CANCELLED
            reminder.note = reason
            reminder.save(update_fields=["status", "note"])
            if reason == "stale":
                _replace_stale(obj, process, rule, reminder)
            return reason
        if rule.action is not None:
            rule.action(obj, reminder)
        if reminder.recipient_id and rule.message is not None:
            with translation.override(reminder.recipient.language):
                title, body = rule.message(obj)
            notify(
                tenant_id=reminder.tenant_id,
                recipient_id=reminder.recipient_id,
                title=title,
                body=body,
                target=obj,
                link=process.ui_path.format(id=obj.pk),
                reminder=reminder,
            )
        reminder.status = Reminder.Status.SENT
        reminder.sent_at = timezone.now()
        reminder.save(update_fields=["status", "sent_at"])
        return "sent"


def deliver_many(reminder_ids: Iterable[int]) -> dict[int, str]:
    """Deliver a batch of reminders; per reminder exactly what ``deliver`` does.

    Returns each id's outcome (as ``deliver``; ``FAILED`` when its delivery
    raised: nothing of it was written and the caller retries it alone). One
    reminder failing never holds back the others: an error in its rule, action
    or message skips only it; an error of the batch's own queries rolls the
    batch back and delivers its reminders one by one. Must run with tenant
    scopes disabled (the actor does that).
    """
    ids = sorted({int(i) for i in reminder_ids})
    if not ids:
        return {}
    held = release_held(ids)
    if held:
        ids = [pk for pk in ids if pk not in held]
        if not ids:
            return dict.fromkeys(held, HELD)
    try:
        outcomes, deferred = _deliver_batch(ids)
    except Exception:
        log.warning("batch of %d reminders failed; delivering one by one", len(ids), exc_info=True)
        outcomes, deferred = {}, ids
    for reminder_id in deferred:  # each in its own transaction, on fresh rows
        try:
            outcomes[reminder_id] = deliver(reminder_id)
        except Exception:
            log.exception("reminder %s: delivery failed", reminder_id)
            outcomes[reminder_id] = FAILED
    outcomes.update(dict.fromkeys(held, HELD))
    return outcomes


def _deliver_batch(ids: list[int]) -> tuple[dict[int, str], list[int]]:
    """One transaction for the batch. Returns the outcomes and the ids deferred to
    ``deliver`` (reminders of a record an action of this batch has just changed)."""
    from crm.activities.models import Notification
    from crm.activities.services import notify_many

    # Rows not returned are missing or no longer open (sent, cancelled...).
    outcomes: dict[int, str] = dict.fromkeys(ids, "done-already")
    deferred: list[int] = []
    with transaction.atomic():
        # Locked in id order, so two batches that overlap wait instead of deadlocking;
        # a row another delivery holds is re-read (and dropped if done) once released.
        rows = list(
            Reminder.objects.select_for_update(of=("self",))
            .filter(pk__in=ids, status__in=OPEN)
            .select_related("recipient")
            .order_by("pk")
        )
        targets = _load_targets(rows)
        acted_on: set[tuple[int, int]] = set()  # records an action of this batch changed
        sent: list[Reminder] = []
        notes: list[Notification] = []
        cancelled: dict[str, list[int]] = defaultdict(list)
        for reminder in rows:
            key = (reminder.content_type_id, reminder.object_id)
            if key in acted_on:
                deferred.append(reminder.pk)
                continue
            try:
                outcome, note, acted = _deliver_loaded(reminder, targets.get(key))
            except Exception:
                log.exception("reminder %s: delivery failed", reminder.pk)
                outcomes[reminder.pk] = FAILED
                continue
            outcomes[reminder.pk] = outcome
            if outcome == "sent":
                sent.append(reminder)
                if note is not None:
                    notes.append(note)
                if acted:
                    acted_on.add(key)
            else:
                cancelled[outcome].append(reminder.pk)
        notify_many(notes)
        if sent:
            Reminder.objects.filter(pk__in=[r.pk for r in sent]).update(
                status=Reminder.Status.SENT, sent_at=timezone.now()
            )
        for reason, pks in cancelled.items():
            Reminder.objects.filter(pk__in=pks).update(
                status=Reminder.Status.CANCELLED, note=reason
            )
    return outcomes, deferred


def _load_targets(rows: list[Reminder]) -> dict[tuple[int, int], models.Model]:
    """The records of the reminders, one query per model, with their tenant (whose
    settings the rules read)."""
    wanted: dict[int, set[int]] = defaultdict(set)
    for reminder in rows:
        wanted[reminder.content_type_id].add(reminder.object_id)
    targets: dict[tuple[int, int], models.Model] = {}
    for content_type_id, pks in wanted.items():
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        for obj in model.objects.filter(pk__in=pks).select_related("tenant"):
            targets[(content_type_id, obj.pk)] = obj
    return targets


def _deliver_loaded(reminder: Reminder, obj):
    """Check and deliver one locked, open reminder whose record is loaded.

    Returns the outcome, the (unsaved) notification and whether an action ran.
    Its writes (an action, a stale row's successor) run in a savepoint, so a
    failure undoes only them; the caller writes the statuses.
    """
    model = ContentType.objects.get_for_id(reminder.content_type_id).model_class()
    process = get_process(model)
    rule = process.rule(reminder.rule)
    reason = _why_not(reminder, process, rule, obj)
    if reason:
        if reason == "stale":
            with transaction.atomic():
                _replace_stale(obj, process, rule, reminder)
        return reason, None, False
    if rule.action is None:
        return "sent", _notification(reminder, process, rule, obj), False
    with transaction.atomic():  # the action is undone if its message fails
        rule.action(obj, reminder)
        return "sent", _notification(reminder, process, rule, obj), True


def _notification(reminder: Reminder, process: Process, rule: ReminderRule, obj):
    """The reminder's notification, unsaved (None when it has nobody to tell)."""
    from crm.activities.models import Notification

    if not reminder.recipient_id or rule.message is None:
        return None
    with translation.override(reminder.recipient.language):
        title, body = rule.message(obj)
    return Notification(
        tenant_id=reminder.tenant_id,
        recipient_id=reminder.recipient_id,
        title=title[:300],
        body=body,
        link=process.ui_path.format(id=obj.pk),
        content_type_id=reminder.content_type_id,
        object_id=obj.pk,
        reminder=reminder,
    )


def _replace_stale(obj, process: Process, rule: ReminderRule, reminder: Reminder) -> None:
    """A stale row (its record moved the due moment) gets a successor, unless one exists."""
    # Not this row itself: a batch marks it cancelled only after the loop.
    exists = (
        Reminder.objects.filter(
            content_type_id=reminder.content_type_id,
            object_id=reminder.object_id,
            rule=rule.name,
            status=Reminder.Status.PENDING,
        )
        .exclude(pk=reminder.pk)
        .exists()
    )
    if not exists:
        schedule(obj, process, reminder.state, [rule])


def _why_not(reminder: Reminder, process: Process, rule, obj) -> str:
    if rule is None:
        return "unknown-rule"
    if obj is None:
        return "target-gone"
    if getattr(obj, process.field_name) != reminder.state:
        return "state-left"
    due = rule.due(obj)
    if due is None:
        return "no-longer-due"
    if (due - reminder.due_at).total_seconds() > STALE_TOLERANCE_SECONDS:
        return "stale"
    return ""
