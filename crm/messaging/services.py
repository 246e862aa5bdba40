"""The write path of messaging: channels, deliveries (sent once, retried with backoff),
the suppression list."""

from __future__ import annotations

import functools
import logging
from collections import Counter
from datetime import timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from crm.core.errors import Invalid
from crm.core.writes import audited_create, audited_delete, audited_update, refuse_unknown
from crm.messaging import crypto, ratelimit, senders, unsubscribe
from crm.messaging.models import (
    Channel,
    ChannelKind,
    Delivery,
    MassSend,
    MessageTemplate,
    Suppression,
)

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
BASE_BACKOFF_SECONDS = 30  # 30 s, 1 min, 2 min, 4 min, 8 min: ~15 min in all
CHANNEL_FIELDS = ("kind", "name", "active", "endpoint", "options")
NEEDS_ENDPOINT = {ChannelKind.SMS, ChannelKind.WECOM, ChannelKind.DINGTALK, ChannelKind.FEISHU}

# What happened to a delivery (for logs, tests and the actor).
SENT, RETRY, FAILED, DONE_ALREADY, MISSING = "sent", "retry", "failed", "done-already", "missing"
PAUSED, SUPPRESSED = "paused", "suppressed"


# A batch's rows are found by id, their state checked as "none of the closed states"
# rather than "= queued": a condition the due index (queued rows only) cannot serve.
# During a large send an index on the status holds an entry for every row that was
# queued (dead once sent, until vacuum), and with statistics from before the send
# the planner ANDed it with the ids: 20 ms a batch at 100,000 rows instead of 0.1 ms.
CLOSED = [str(s) for s in Delivery.Status if s != Delivery.Status.QUEUED]
OPEN = ~Q(status__in=CLOSED)


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed attempt: doubles each time."""
    return timedelta(seconds=BASE_BACKOFF_SECONDS * 2 ** max(attempts - 1, 0))


# --- channels -------------------------------------------------------------------------


def _check_channel(kind: str, endpoint: str, options=None) -> None:
    if kind in NEEDS_ENDPOINT and not endpoint:
        raise Invalid(fields={"endpoint": [_("This channel needs an endpoint URL.")]})
    # The rate limit read by the senders (``ratelimit.rate_of``): one it cannot read
    # would mean no limit at all, so it is refused rather than kept.
    rate = (options or {}).get("rate_per_second") if isinstance(options, dict) else None
    if rate is not None and (isinstance(rate, bool) or not isinstance(rate, int) or rate < 0):
        raise Invalid(
            fields={
                "options": [
                    _("rate_per_second: give a whole number of messages, 0 (no limit) or more.")
                ]
            }
        )


def channel_create(*, tenant, actor, secret: str = "", **fields: Any) -> Channel:
    refuse_unknown(fields, CHANNEL_FIELDS)
    _check_channel(fields.get("kind", ""), fields.get("endpoint", ""), fields.get("options"))
    # The audit entry lists the secret only as "set", never its value.
    return audited_create(
        Channel,
        tenant=tenant,
        actor=actor,
        fields={**fields, "secret_encrypted": crypto.encrypt(secret)},
        audit_fields=list(fields),
        extra_changes={"secret": "set"} if secret else None,
    )


def channel_update(channel: Channel, *, tenant, actor, secret: str | None = None, **fields):
    refuse_unknown(fields, CHANNEL_FIELDS)
    _check_channel(
        fields.get("kind", channel.kind),
        fields.get("endpoint", channel.endpoint),
        fields.get("options"),
    )
    extra = {}
    if secret is not None:
        channel.secret_encrypted = crypto.encrypt(secret)
        extra = {"secret": "changed"}
    audited_update(
        channel,
        tenant=tenant,
        actor=actor,
        fields=fields,
        extra_changes=extra,
        extra_fields=["secret_encrypted"] if extra else (),
    )
    return channel


def channel_delete(channel: Channel, *, tenant, actor) -> None:
    audited_delete(channel, tenant=tenant, actor=actor)


# --- deliveries -----------------------------------------------------------------------


def delivery_queue(
    *,
    channel: Channel,
    body: str,
    recipient: str = "",
    recipient_user=None,
    title: str = "",
    event: str = "",
    send_at=None,
) -> Delivery:
    """A queued delivery. Due now: handed to a worker after commit. Due later (quiet
    hours): the row waits with its ``next_attempt_at`` and the scheduler loop hands
    it over when due (``hand_due``), so nothing rests on a delayed broker message."""
    now = timezone.now()
    later = send_at is not None and send_at > now
    delivery = Delivery.objects.create(
        tenant_id=channel.tenant_id,
        channel=channel,
        recipient=recipient,
        recipient_user=recipient_user,
        title=title[:300],
        body=body,
        event=event,
        next_attempt_at=send_at if later else now,
        claimed_at=None if later else now,
    )
    if not later:
        transaction.on_commit(partial(_enqueue, [delivery.pk]))
    return delivery


def _enqueue(ids: list[int]) -> None:
    from tasks.messaging import send_deliveries

    send_deliveries.send(ids)


def _room(size: int) -> int:
    """Deliveries the workers have room for: the backlog of the messaging queue is
    bounded (``MESSAGING_MAX_BACKLOG`` messages), so a claim is only stale when its
    message was really lost, not merely waiting behind a rate limit."""
    from tasks.messaging import send_deliveries
    from tasks.scheduler import queue_backlog

    most = int(getattr(settings, "MESSAGING_MAX_BACKLOG", 40))
    backlog = queue_backlog(send_deliveries.queue_name)
    return max(0, most - (backlog or 0)) * size


def stale_claim_seconds() -> float:
    return float(getattr(settings, "MESSAGING_STALE_CLAIM_SECONDS", 120))


def hand_due(now=None, limit: int | None = None, size: int = 50, mass_send_id=None) -> int:
    """The scheduler's pass over deliveries: those due (held for the morning, waiting
    out a backoff) and those whose claim went stale (a dead worker, a lost message)
    are claimed (``FOR UPDATE SKIP LOCKED``) and handed to workers in batches. The
    deliveries of a mass send go only while it is sending."""
    now = now or timezone.now()
    if limit is None:
        limit = _room(size)
    if not limit:
        return 0
    stale = now - timedelta(seconds=stale_claim_seconds())
    due = Delivery.objects.filter(status=Delivery.Status.QUEUED, next_attempt_at__lte=now)
    if mass_send_id is not None:
        due = due.filter(mass_send_id=mass_send_id)
    with scopes_disabled(), transaction.atomic():
        ids = list(
            due.filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale))
            .filter(Q(mass_send__isnull=True) | Q(mass_send__status=MassSend.Status.SENDING))
            .order_by("next_attempt_at")
            .select_for_update(skip_locked=True, of=("self",))
            .values_list("id", flat=True)[:limit]
        )
        if ids:
            # Due by now: the worker sends them (``deliver`` refuses rows due later).
            Delivery.objects.filter(pk__in=ids).update(
                claimed_at=now, lease=None, next_attempt_at=min(now, timezone.now())
            )
            for start in range(0, len(ids), size):
                transaction.on_commit(partial(_enqueue, ids[start : start + size]))
    return len(ids)


@functools.cache
def _suppression_sql(count: int) -> str:
    quote = connection.ops.quote_name
    field = Suppression._meta.get_field
    places = ", ".join(["%s"] * count)
    return (
        f"SELECT {quote(field('address').column)} FROM {quote(Suppression._meta.db_table)}"
        f" WHERE {quote(field('tenant').column)} = %s"
        f" AND {quote(field('channel_kind').column)} = %s"
        f" AND {quote(field('address').column)} IN ({places})"
    )


def suppressed_among(rows: list[Delivery]) -> set[int]:
    """The marketing deliveries among ``rows`` (their channel, send and template read)
    whose address is on their company's suppression list for their channel's kind:
    one query per company and kind in the batch (one in all for a mass send)."""
    groups: dict[tuple[int, str], list[Delivery]] = {}
    for d in rows:
        if d.mass_send_id and d.mass_send.template.marketing:
            groups.setdefault((d.tenant_id, d.channel.kind), []).append(d)
    found: set[int] = set()
    for (tenant_id, kind), group in groups.items():
        # The list keeps one spelling (``unsubscribe.address_key``); the recipient as
        # written is looked up too, for rows kept before that.
        keys = {d.pk: unsubscribe.address_key(kind, d.recipient) for d in group}
        addresses = sorted({d.recipient for d in group} | set(keys.values()))
        with connection.cursor() as cursor:
            cursor.execute(_suppression_sql(len(addresses)), [tenant_id, kind, *addresses])
            listed = unsubscribe.keys_of(kind, (address for (address,) in cursor.fetchall()))
        found.update(d.pk for d in group if keys[d.pk] in listed)
    return found


def deliver(delivery_id: int, suppressed: bool | None = None) -> str:
    """Send one delivery once (a batch of one); idempotent under redelivery."""
    told = None if suppressed is None else ({delivery_id} if suppressed else set())
    return deliver_batch([delivery_id], suppressed=told)[delivery_id]


def deliver_batch(ids, suppressed: set[int] | None = None) -> dict[int, str]:
    """Send a batch of deliveries, each once; returns each id's outcome.

    One UPDATE claims the batch for this worker (``lease`` + ``claimed_at``) and
    returns its rows: those still queued, due, and not held by a live worker (no
    lease, or a lease gone stale: a killed worker). One query each reads their
    channels, sends and templates; one finds the suppressed. Then each is sent on
    the thread's kept-alive connection, its channel's rate taken from Redis a
    reservation at a time, and marked sent by one UPDATE (autocommit) on the batch's
    cursor before the next goes: a worker killed mid-batch leaves at most the message
    in flight to be repeated (same ``OutId``); the rest of its claim goes stale and
    the scheduler hands it over.
    A transient failure leaves the row queued with ``next_attempt_at`` pushed by the
    backoff (``RETRY``); past ``MAX_ATTEMPTS`` or on a permanent error it is failed.
    """
    import uuid

    ids = list(dict.fromkeys(int(i) for i in ids))
    outcomes: dict[int, str] = {}
    if not ids:
        return outcomes
    lease = uuid.uuid4()
    now = timezone.now()
    stale = now - timedelta(seconds=stale_claim_seconds())
    with scopes_disabled():
        rows = _claim(ids, lease, now, stale)
        if len(rows) < len(ids):
            _outcomes_unclaimed(set(ids) - {d.pk for d in rows}, outcomes)
        if not rows:
            return outcomes
        if suppressed is None:
            suppressed = suppressed_among(rows)
        held = [
            d.pk for d in rows if d.mass_send_id and d.mass_send.status != MassSend.Status.SENDING
        ]
        if held:  # paused: the scheduler hands them over on resume
            Delivery.objects.filter(pk__in=held, lease=lease).update(lease=None, claimed_at=None)
            outcomes.update(dict.fromkeys(held, PAUSED))
        blocked = [d.pk for d in rows if d.pk in suppressed and d.pk not in outcomes]
        if blocked:  # unsubscribed since the send was expanded
            Delivery.objects.filter(pk__in=blocked, lease=lease).update(
                status=Delivery.Status.SUPPRESSED, lease=None
            )
            outcomes.update(dict.fromkeys(blocked, SUPPRESSED))
        todo = [d for d in rows if d.pk not in outcomes]
        mail = senders.MailSession()  # one SMTP connection for the batch's e-mails
        try:
            _send_each(todo, lease, outcomes, mail)
        finally:
            mail.close()
    if log.isEnabledFor(logging.INFO):
        log.info("batch of %d deliveries: %s", len(ids), dict(Counter(outcomes.values())))
    return outcomes


@functools.cache
def _claim_sql(count: int) -> str:
    """One statement claims a batch's rows for this worker and reads them: those still
    open (none of the closed states: a condition the due index, queued rows only,
    cannot serve), due, and free (no lease, or a claim gone stale: a killed worker).
    Their channel, send and template are read once for the batch (``_related``)."""
    quote = connection.ops.quote_name
    table = quote(Delivery._meta.db_table)
    lease, claimed, due = quote("lease"), quote("claimed_at"), quote("next_attempt_at")
    closed = ", ".join(["%s"] * len(CLOSED))
    places = ", ".join(["%s"] * count)
    columns = ", ".join(quote(f.column) for f in Delivery._meta.concrete_fields)
    return (
        f"UPDATE {table} SET {lease} = %s, {claimed} = %s"
        f" WHERE {quote('id')} IN ({places}) AND NOT ({quote('status')} IN ({closed}))"
        f" AND ({lease} IS NULL OR {claimed} IS NULL OR {claimed} < %s)"
        f" AND ({due} IS NULL OR {due} <= %s)"
        f" RETURNING {columns}"
    )


def _claim(ids: list[int], lease, now, stale) -> list[Delivery]:
    """Claim and read the free, due, open rows among ``ids`` (see ``_claim_sql``), in
    id order, each with its channel, send and template (shared by the batch)."""
    field = Delivery._meta.get_field
    at = partial(field("claimed_at").get_db_prep_value, connection=connection)
    params = [
        field("lease").get_db_prep_value(lease, connection),
        at(now),
        *ids,
        *CLOSED,
        at(stale),
        at(now + timedelta(seconds=1)),
    ]
    with connection.cursor() as cursor:
        cursor.execute(_claim_sql(len(ids)), params)
        rows = sorted(_built(Delivery, cursor.fetchall()), key=_pk)
    if rows:
        _related(rows)
    return rows


def _pk(delivery: Delivery) -> int:
    return delivery.pk


@functools.cache
def _converters(model) -> list[tuple[int, list, Any]]:
    """The conversions of ``model``'s columns as the ORM applies them to a row read
    (JSON decoded, SQLite's dates and booleans...): (position, converters, column)."""
    table = model._meta.db_table
    out = []
    for position, field in enumerate(model._meta.concrete_fields):
        column = field.get_col(table)
        found = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if found:
            out.append((position, found, column))
    return out


def _built(model, rows, start: int = 0) -> list:
    """``model`` instances of rows of all its columns (from ``start`` in each row), as
    the ORM builds them. The ORM's query for a batch, with its ``select_related``,
    cost more CPU than the batch's 50 sends."""
    converters = _converters(model)
    width = len(model._meta.concrete_fields)
    built = []
    for row in rows:
        values = list(row[start : start + width])
        for position, found, column in converters:
            value = values[position]
            for converter in found:
                value = converter(value, column, connection)
            values[position] = value
        built.append(model.from_db(connection.alias, None, values))
    return built


def _columns(model, alias: str = "") -> str:
    quote = connection.ops.quote_name
    prefix = f"{quote(alias)}." if alias else ""
    return ", ".join(f"{prefix}{quote(f.column)}" for f in model._meta.concrete_fields)


@functools.cache
def _related_sql(count: int, sends: bool) -> str:
    """Channels by id, or mass sends by id each with its template (one row each)."""
    quote = connection.ops.quote_name
    places = ", ".join(["%s"] * count)
    if not sends:
        table = quote(Channel._meta.db_table)
        return f"SELECT {_columns(Channel)} FROM {table} WHERE {quote('id')} IN ({places})"
    send, template = quote(MassSend._meta.db_table), quote(MessageTemplate._meta.db_table)
    join = quote(MassSend._meta.get_field("template").column)
    return (
        f"SELECT {_columns(MassSend, 's')}, {_columns(MessageTemplate, 't')}"
        f" FROM {send} s INNER JOIN {template} t ON t.{quote('id')} = s.{join}"
        f" WHERE s.{quote('id')} IN ({places})"
    )


def _related(rows: list[Delivery]) -> None:
    """Give the batch's rows their channel, mass send and its template: one instance of
    each for the batch, read by id (what ``select_related`` read again for every row)."""
    channel_ids = sorted({d.channel_id for d in rows})
    send_ids = sorted({d.mass_send_id for d in rows if d.mass_send_id is not None})
    with connection.cursor() as cursor:
        cursor.execute(_related_sql(len(channel_ids), False), channel_ids)
        channels = {c.pk: c for c in _built(Channel, cursor.fetchall())}
        sends = {}
        if send_ids:
            cursor.execute(_related_sql(len(send_ids), True), send_ids)
            found = cursor.fetchall()
            width = len(MassSend._meta.concrete_fields)
            for send, template in zip(
                _built(MassSend, found), _built(MessageTemplate, found, width), strict=True
            ):
                MassSend.template.field.set_cached_value(send, template)
                sends[send.pk] = send
    channel_cache = Delivery.channel.field.set_cached_value
    send_cache = Delivery.mass_send.field.set_cached_value
    for d in rows:
        channel_cache(d, channels[d.channel_id])
        send_cache(d, sends.get(d.mass_send_id))


def _send_each(todo: list[Delivery], lease, outcomes: dict[int, str], mail) -> None:
    """Send the claimed deliveries one after the other, each marked before the next."""
    import time

    stale_seconds = stale_claim_seconds()
    secrets: dict[int, str] = {}
    tokens: dict[int, tuple[int, float]] = {}  # channel: (sends granted, until)
    renewed = time.monotonic()
    with connection.cursor() as cursor:  # the marks' cursor, one for the batch
        for index, delivery in enumerate(todo):
            if time.monotonic() - renewed > stale_seconds / 4:  # keep the claim live
                open_ids = [d.pk for d in todo[index:]]
                Delivery.objects.filter(OPEN, pk__in=open_ids, lease=lease).update(
                    claimed_at=timezone.now()
                )
                renewed = time.monotonic()
            channel = delivery.channel
            if channel.pk not in secrets:
                secrets[channel.pk] = crypto.decrypt(channel.secret_encrypted)
            try:
                if not channel.active:
                    raise senders.SendError("channel inactive", permanent=True)
                granted, until = tokens.get(channel.pk, (0, 0.0))
                if not granted or time.monotonic() >= until:
                    left = sum(1 for d in todo[index:] if d.channel_id == channel.pk)
                    granted, until = ratelimit.reserve(channel, left)
                tokens[channel.pk] = (granted - 1, until)
                if channel.kind == ChannelKind.EMAIL:
                    provider_id = senders.send_email(channel, secrets[channel.pk], delivery, mail)
                else:
                    send = senders.SENDERS[channel.kind]
                    provider_id = send(channel, secrets[channel.pk], delivery)
            except senders.SendError as exc:
                outcomes[delivery.pk] = _record_failure(delivery, lease, exc)
            else:
                if not mark_sent(delivery, lease, provider_id, cursor):
                    log.warning("delivery %s: sent after its claim went stale", delivery.pk)
                outcomes[delivery.pk] = SENT
            log.debug("delivery %s: %s", delivery.pk, outcomes[delivery.pk])


@functools.cache
def _mark_sent_sql() -> str:
    """The UPDATE that marks one delivery sent, if this worker's lease still holds it.

    On PostgreSQL its transaction (the statement itself, in autocommit) commits
    without waiting for its WAL flush: ``set_config(..., true)`` lasts for this
    transaction only, so it holds behind PgBouncer in transaction mode too. The row
    is written and visible when the UPDATE returns; a worker killed after that
    loses nothing (only a crash of PostgreSQL itself could lose the last few ms of
    marks: WAL writer delay), and a worker killed before it repeats the request in
    flight with the same ``OutId``, as before."""
    quote = connection.ops.quote_name
    table = quote(Delivery._meta.db_table)
    sets = ", ".join(
        f"{quote(column)} = %s"
        for column in ("status", "attempts", "provider_id", "sent_at", "error", "next_attempt_at")
    )
    sql = f"UPDATE {table} SET {sets} WHERE {quote('id')} = %s AND {quote('lease')} = %s"
    if connection.vendor == "postgresql":
        sql += " AND set_config('synchronous_commit', 'off', true) IS NOT NULL"
    return sql


def mark_sent(delivery: Delivery, lease, provider_id: str, cursor=None) -> bool:
    """Mark ``delivery`` sent under ``lease`` (one statement, committed at once when not
    inside a transaction); False when the lease no longer holds it. ``cursor``: the
    batch's (one cursor for its marks rather than one a mark)."""
    if cursor is None:
        with connection.cursor() as cursor:
            return mark_sent(delivery, lease, provider_id, cursor)
    db = cursor.db  # the connection itself (``connection`` is a proxy looked up each time)
    params = [
        Delivery.Status.SENT,
        delivery.attempts + 1,
        provider_id or "",
        # What DateTimeField.get_db_prep_value makes of an aware now, less its checks.
        db.ops.adapt_datetimefield_value(timezone.now()),
        "",
        None,
        delivery.pk,
        Delivery._meta.get_field("lease").get_db_prep_value(lease, db),
    ]
    cursor.execute(_mark_sent_sql(), params)
    return cursor.rowcount > 0


def _record_failure(delivery: Delivery, lease, exc: senders.SendError) -> str:
    attempts = delivery.attempts + 1
    fields: dict[str, Any] = {"attempts": attempts, "error": str(exc)[:2000]}
    if exc.permanent or attempts >= MAX_ATTEMPTS:
        fields.update(status=Delivery.Status.FAILED, next_attempt_at=None, lease=None)
        outcome = FAILED
    else:
        # The scheduler hands it over when due.
        fields.update(
            next_attempt_at=timezone.now() + backoff(attempts), claimed_at=None, lease=None
        )
        outcome = RETRY
    Delivery.objects.filter(pk=delivery.pk, lease=lease).update(**fields)
    return outcome


@functools.cache
def _sends_of_sql(count: int) -> str:
    quote = connection.ops.quote_name
    column = quote(Delivery._meta.get_field("mass_send").column)
    places = ", ".join(["%s"] * count)
    return (
        f"SELECT DISTINCT {column} FROM {quote(Delivery._meta.db_table)}"
        f" WHERE {quote('id')} IN ({places}) AND {column} IS NOT NULL"
    )


def mass_sends_of(ids) -> set[int]:
    """The mass sends the deliveries ``ids`` belong to (a fixed SQL text: the actor asks
    it after every batch)."""
    ids = list(dict.fromkeys(int(i) for i in ids))
    if not ids:
        return set()
    with connection.cursor() as cursor:
        cursor.execute(_sends_of_sql(len(ids)), ids)
        return {pk for (pk,) in cursor.fetchall()}


def _outcomes_unclaimed(ids: set[int], outcomes: dict[int, str]) -> None:
    """Why a delivery was not claimed: gone (MISSING), sent or being sent by a live
    worker's claim (DONE_ALREADY: a redelivered message sends nothing twice), or
    early (RETRY: the scheduler hands it over when due)."""
    found = {
        pk: (status, lease)
        for pk, status, lease in Delivery.objects.filter(pk__in=ids).values_list(
            "pk", "status", "lease"
        )
    }
    for pk in ids:
        status, lease = found.get(pk, (None, None))
        if status is None:
            outcomes[pk] = MISSING
        elif status != Delivery.Status.QUEUED or lease is not None:
            outcomes[pk] = DONE_ALREADY
        else:
            outcomes[pk] = RETRY


def channel_test(channel: Channel, *, actor, recipient: str = "") -> Delivery:
    """Queue a test message on ``channel`` (to ``recipient`` or the acting user)."""
    if channel.kind == ChannelKind.EMAIL:
        recipient = recipient or actor.email
    elif channel.kind == ChannelKind.SMS:
        recipient = recipient or getattr(actor, "mobile", "") or ""
        if not recipient:
            raise Invalid(fields={"recipient": [_("A mobile number is needed.")]})
    with transaction.atomic():
        return delivery_queue(
            channel=channel,
            recipient=recipient,
            recipient_user=actor,
            title=_("Test message"),
            body=_("This is a test message from Shanghui CRM."),
            event="test",
        )


# --- suppression list -----------------------------------------------------------------

#: Only SMS and e-mail carry marketing: the kinds the suppression list holds.
SUPPRESSED_KINDS = (ChannelKind.SMS, ChannelKind.EMAIL)


def _suppression_address(channel_kind: str, address: str) -> str:
    """The address as the list keeps it, or 400 naming ``address``: a mobile number for
    SMS, an e-mail address for e-mail (a mistyped one would never match a recipient)."""
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    from crm.core.validators import normalize_mobile

    value = (address or "").strip()
    if not value:
        raise Invalid(fields={"address": [_("Enter the address.")]})
    try:
        if channel_kind == ChannelKind.SMS:
            normalize_mobile(value)
        else:
            validate_email(value)
    except ValidationError as exc:
        raise Invalid(fields={"address": list(exc.messages)}) from None
    return unsubscribe.address_key(channel_kind, value)


def suppression_create(
    *, tenant, actor, channel_kind: str, address: str, reason: str = "manual"
) -> Suppression:
    """Put an address on the list by hand (kept in its one spelling: ``address_key``),
    audited like every write; one already there (or added at the same moment) answers
    400 naming ``address``."""
    if channel_kind not in SUPPRESSED_KINDS:
        raise Invalid(fields={"channel_kind": [_("Only SMS and e-mail are suppressed.")]})
    address = _suppression_address(channel_kind, address)
    on_list = Invalid(fields={"address": [_("This address is already on the list.")]})
    if Suppression.objects.filter(
        tenant=tenant, channel_kind=channel_kind, address=address
    ).exists():
        raise on_list
    fields = {"channel_kind": channel_kind, "address": address, "reason": reason or "manual"}
    try:
        with transaction.atomic():
            return audited_create(Suppression, tenant=tenant, actor=actor, fields=fields)
    except IntegrityError:  # the same address added meanwhile (the unique constraint)
        raise on_list from None


def suppression_delete(row: Suppression, *, tenant, actor) -> None:
    """Take an address off the list, audited, under the row lock: of two deletes at
    once one removes it, the other answers 404."""
    audited_delete(row, tenant=tenant, actor=actor)
