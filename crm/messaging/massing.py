"""群发 Mass sends: audience, preview, expansion into deliveries, progress.

The audience is the contacts (with a mobile for SMS, an e-mail for e-mail) of
the customers of a customer group, of a campaign's target list (its members,
else its target group or filter) or of a saved filter of the customer list.

``expand`` writes one ``Delivery`` per address (``INSERT ... ON CONFLICT DO
NOTHING`` on the unique (send, recipient)), suppressed at once when the address
is on the suppression list, so a worker that dies half way and runs again adds
nobody twice. The scheduler loop then hands the queued ones to workers
(``services.hand_due``) a bounded batch at a time; a worker claims a batch with
one UPDATE (a lease) and sends each once, marked sent before the next goes
(``services.deliver_batch``), at the channel's shared rate (``ratelimit``). When none
is left queued the send completes (through the engine).
"""

from __future__ import annotations

import functools
import logging
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from crm.core.errors import Invalid
from crm.core.writes import audited_create, audited_delete, audited_update, refuse_unknown
from crm.messaging import templating, unsubscribe
from crm.messaging.models import ChannelKind, Delivery, MassSend, Suppression

log = logging.getLogger(__name__)

MASS_SEND_FIELDS = (
    "name",
    "channel",
    "template",
    "audience",
    "group_id",
    "campaign_id",
    "filter",
    "scheduled_at",
)
# Contacts read, rows written (and handed to workers) at a time while expanding: the
# first workers start after 500 rows, not after the whole audience.
WRITE_CHUNK = 500


# --- audience --------------------------------------------------------------------------


def _customers(mass_send):
    from crm.customers.models import Customer

    tenant_id = mass_send.tenant_id
    customers = Customer.objects.filter(tenant_id=tenant_id)
    if mass_send.audience == MassSend.Audience.GROUP:
        return customers.filter(groups__pk=mass_send.group_id)
    if mass_send.audience == MassSend.Audience.CAMPAIGN:
        from crm.marketing.models import Campaign, CampaignMember

        campaign = Campaign.objects.filter(tenant_id=tenant_id, pk=mass_send.campaign_id).first()
        if campaign is None:
            return customers.none()
        members = CampaignMember.objects.filter(campaign=campaign)
        if members.exists():
            return customers.filter(pk__in=members.values("customer_id"))
        if campaign.target_group_id:
            return customers.filter(groups__pk=campaign.target_group_id)
        return _filtered(customers, tenant_id, campaign.target_filter or {})
    return _filtered(customers, tenant_id, mass_send.filter or {})


def filter_errors(tenant_id, params) -> list[str]:
    """Why ``params`` is not a filter of the customer list for the company (each
    reason naming its filter), or [] (``crm.customers.saved_filter``)."""
    from crm.customers import saved_filter

    return saved_filter.filter_errors(tenant_id, params)


def _filtered(customers, tenant_id, params: dict):
    """The customers the saved filter picks, as the customer list would for the
    company; a filter the list refuses is refused, never every customer."""
    from crm.customers import saved_filter

    return saved_filter.filtered(customers, tenant_id, params, field="filter")


def address_field(kind: str) -> str:
    return "email" if kind == ChannelKind.EMAIL else "mobile"


def contacts(mass_send):
    """The audience's contacts with an address for the send's channel."""
    from crm.customers.models import Contact

    field = address_field(mass_send.channel.kind)
    return (
        Contact.objects.filter(tenant_id=mass_send.tenant_id)
        .filter(customer__in=_customers(mass_send).values("pk"))
        .exclude(**{field: ""})
    )


def _suppressed(mass_send) -> set[str]:
    if not mass_send.template.marketing:
        return set()
    kind = mass_send.channel.kind
    # Compared by ``address_key``: rows written before the list kept one spelling too.
    return unsubscribe.keys_of(
        kind,
        Suppression.objects.filter(tenant_id=mass_send.tenant_id, channel_kind=kind).values_list(
            "address", flat=True
        ),
    )


def audience_count(mass_send) -> int:
    field = address_field(mass_send.channel.kind)
    return contacts(mass_send).values(field).distinct().count()


def preview(mass_send) -> dict[str, Any]:
    """The count, the suppressed count, and the rendered message for the first contact
    with (for SMS) its characters and segments, times the count."""
    field = address_field(mass_send.channel.kind)
    addresses = set(contacts(mass_send).values_list(field, flat=True))
    listed = _suppressed(mass_send)
    kind = mass_send.channel.kind
    suppressed = sum(1 for a in addresses if unsubscribe.address_key(kind, a) in listed)
    first = contacts(mass_send).select_related("customer__owner").order_by("pk").first()
    sample = templating.preview(mass_send.template, first)
    out = {
        "count": len(addresses),
        "suppressed": suppressed,
        "recipients": len(addresses) - suppressed,
        "sample": sample,
    }
    if mass_send.channel.kind == ChannelKind.SMS:
        out["segments_per_message"] = sample["segments"]
        out["segments"] = sample["segments"] * out["recipients"]
    return out


# --- write path ------------------------------------------------------------------------


def _check(fields: dict, current: MassSend | None, tenant) -> None:
    from crm.customers.models import CustomerGroup

    channel = fields.get("channel", getattr(current, "channel", None))
    template = fields.get("template", getattr(current, "template", None))
    audience = fields.get("audience", getattr(current, "audience", ""))
    errors: dict[str, list[str]] = {}
    if channel is not None and channel.kind not in (ChannelKind.SMS, ChannelKind.EMAIL):
        errors["channel"] = [_("Mass sends go by SMS or e-mail.")]
    if channel is not None and template is not None and template.channel_kind != channel.kind:
        errors["template"] = [_("The template is not for this channel.")]
    if audience == MassSend.Audience.GROUP:
        group_id = fields.get("group_id", getattr(current, "group_id", None))
        if not CustomerGroup.objects.filter(tenant=tenant, pk=group_id or 0).exists():
            errors["group_id"] = [_("Choose a customer group.")]
    elif audience == MassSend.Audience.CAMPAIGN:
        from crm.marketing.models import Campaign

        campaign_id = fields.get("campaign_id", getattr(current, "campaign_id", None))
        if not Campaign.objects.filter(tenant=tenant, pk=campaign_id or 0).exists():
            errors["campaign_id"] = [_("Choose a campaign.")]
    elif audience == MassSend.Audience.FILTER:
        value = fields.get("filter", getattr(current, "filter", {}))
        reasons = filter_errors(tenant.pk, value)
        if reasons:
            errors["filter"] = reasons
    when_error = _scheduled_at_error(fields, current)
    if when_error:
        errors["scheduled_at"] = [when_error]
    if errors:
        raise Invalid(fields=errors)


def future_time_error(when) -> str | None:
    """Why ``when`` cannot be a send's scheduled moment, or None: a moment already
    past (or now) would be sent by the scheduler's next pass, at once, without the
    confirmation "Send now" asks for."""
    if when is None or when <= timezone.now():
        return _("Choose a time in the future; to send at once use Send now.")
    return None


def _scheduled_at_error(fields: dict, current: MassSend | None) -> str | None:
    """A new ``scheduled_at`` must be in the future; a scheduled send always keeps a
    future one (cleared, it would never start). A draft's old moment sent again
    unchanged (the form sends every field) is left: it is checked when scheduled."""
    if "scheduled_at" not in fields:
        return None
    when = fields["scheduled_at"]
    if current is not None and current.status == MassSend.Status.SCHEDULED:
        return future_time_error(when)
    if when is None or (current is not None and when == current.scheduled_at):
        return None
    return future_time_error(when)


def mass_send_create(*, tenant, actor, **fields) -> MassSend:
    refuse_unknown(fields, MASS_SEND_FIELDS)
    _check(fields, None, tenant)
    fields["created_by"] = actor
    return audited_create(MassSend, tenant=tenant, actor=actor, fields=fields)


def mass_send_update(send: MassSend, *, tenant, actor, **fields) -> MassSend:
    refuse_unknown(fields, MASS_SEND_FIELDS)
    if send.is_frozen:
        raise Invalid(fields={"status": [_("A send that has started is not edited.")]})
    _check(fields, send, tenant)
    audited_update(send, tenant=tenant, actor=actor, fields=fields)
    return send


def mass_send_delete(send: MassSend, *, tenant, actor) -> None:
    if send.status not in (MassSend.Status.DRAFT, MassSend.Status.CANCELLED):
        raise Invalid(fields={"status": [_("Only drafts and cancelled sends are deleted.")]})
    audited_delete(send, tenant=tenant, actor=actor)


# --- sending ---------------------------------------------------------------------------


def expand(mass_send_id: int) -> int:
    """Write the send's deliveries (idempotent); returns how many rows it added."""
    from crm.messaging.services import hand_due

    with scopes_disabled():
        send = (
            MassSend.objects.select_related("channel", "template", "tenant")
            .filter(pk=mass_send_id)
            .first()
        )
        if send is None or send.status != MassSend.Status.SENDING:
            return 0
        added = 0
        if send.expanded_at is None:
            try:
                added = _write_deliveries(send)
            except Invalid as exc:
                _pause_unsendable(send, exc)
                return 0
        hand_due(mass_send_id=send.pk)
        complete_if_done(send.pk)
    return added


def _pause_unsendable(send: MassSend, exc: Invalid) -> None:
    """An audience that no longer reads (its saved filter names a value since gone) is
    paused, not retried: the scheduler would restart the expansion for ever. Nothing
    was sent; the author sees the send paused and can cancel it."""
    from workflows.engine import transition

    log.warning("mass send %s paused: its audience cannot be read: %s", send.pk, exc)
    transition(model=MassSend, pk=send.pk, name="pause", tenant=send.tenant, actor=None)


def _signature(send: MassSend) -> str:
    """The personal e-mail signature of the user who made the send (personal settings)."""
    from crm.core.models import User

    if send.created_by_id is None:
        return ""
    found = User.objects.filter(pk=send.created_by_id).values_list("email_signature", flat=True)
    return (found.first() or "").strip()


def _write_deliveries(send: MassSend) -> int:
    from crm.messaging.services import hand_due

    kind = send.channel.kind
    field = address_field(kind)
    suppressed = _suppressed(send)
    template = send.template
    marketing_email = kind == ChannelKind.EMAIL and template.marketing
    from crm.customers.models import Contact

    # The audience's ids first (one narrow query), then its contacts a page of ids at
    # a time. A server-side cursor over the audience (``iterator()``) was declared
    # WITH HOLD outside a transaction and planned for a cursor's first rows: the
    # first contact came after 0.44 s at 5,000 (the query itself: 20 ms).
    ids = list(contacts(send).order_by("pk").values_list("pk", flat=True))
    rows = (
        Contact.objects.order_by("pk")
        .select_related("customer__owner")
        .only(
            "pk",
            "name",
            "mobile",
            "email",
            "customer__name",
            # The customer's workflow state: django-fsm reads it when a customer is
            # built, and a deferred one costs a query per recipient.
            "customer__status",
            "customer__owner__full_name",
            "customer__owner__username",
        )
    )
    base = templating.context_of(None, send.tenant)
    signature = _signature(send) if kind == ChannelKind.EMAIL else ""
    now = timezone.now()
    batch: list[Delivery] = []
    added = 0
    for contact in _pages(rows, ids):
        address = getattr(contact, field)
        values = {**base, **templating.context_of(contact, send.tenant)}
        body = templating.render(template.body, values)
        if signature:
            body = f"{body}\n\n-- \n{signature}"
        if marketing_email:
            body = f"{body}\n\n{unsubscribe.footer(send.tenant_id, kind, address)}"
        batch.append(
            Delivery(
                tenant_id=send.tenant_id,
                channel_id=send.channel_id,
                mass_send_id=send.pk,
                contact_id=contact.pk,
                recipient=address,
                event="mass_send",
                title=templating.render(template.subject, values)[:300],
                body=body,
                status=Delivery.Status.SUPPRESSED
                if unsubscribe.address_key(kind, address) in suppressed
                else Delivery.Status.QUEUED,
                next_attempt_at=now,
            )
        )
        if len(batch) >= WRITE_CHUNK:
            added += _insert(send, batch)
            batch = []
            # Workers start on the rows written while the rest is expanded (the
            # send completes only once expanded: ``complete_if_done``).
            hand_due(mass_send_id=send.pk)
    added += _insert(send, batch)
    total = Delivery.objects.filter(mass_send_id=send.pk).count()
    MassSend.objects.filter(pk=send.pk).update(expanded_at=timezone.now(), total=total)
    return added


def _pages(rows, ids: list[int]):
    for start in range(0, len(ids), WRITE_CHUNK):
        yield from rows.filter(pk__in=ids[start : start + WRITE_CHUNK])


def _insert(send: MassSend, batch: list[Delivery]) -> int:
    if not batch:
        return 0
    with transaction.atomic():
        made = Delivery.objects.bulk_create(batch, ignore_conflicts=True)
        # The heartbeat: the scheduler restarts an expansion idle for too long.
        MassSend.objects.filter(pk=send.pk).update(updated_at=timezone.now())
    return len(made)


@functools.cache
def _queued_left_sql() -> str:
    quote = connection.ops.quote_name
    return (
        f"SELECT 1 FROM {quote(Delivery._meta.db_table)}"
        f" WHERE {quote(Delivery._meta.get_field('mass_send').column)} = %s"
        f" AND {quote('status')} = %s LIMIT 1"
    )


def _queued_left(mass_send_id: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(_queued_left_sql(), [mass_send_id, Delivery.Status.QUEUED])
        return cursor.fetchone() is not None


def complete_if_done(mass_send_id: int) -> bool:
    """Complete a sending, fully expanded send with nothing left queued (engine)."""
    from crm.core.errors import InvalidTransition
    from workflows.engine import transition

    with scopes_disabled():
        # Rows left queued first: the answer after nearly every batch of a send (one
        # fixed SQL text, no ORM query built twice a batch).
        if _queued_left(mass_send_id):
            return False
        send = MassSend.objects.filter(
            pk=mass_send_id, status=MassSend.Status.SENDING, expanded_at__isnull=False
        ).first()
        if send is None:
            return False
        try:
            transition(model=MassSend, pk=send.pk, name="complete", tenant=send.tenant, actor=None)
        except InvalidTransition:
            return False
    return True


def drop_queued(mass_send_id: int) -> int:
    """A cancelled send's queued deliveries are marked failed ("cancelled")."""
    with scopes_disabled():
        return Delivery.objects.filter(
            mass_send_id=mass_send_id, status=Delivery.Status.QUEUED
        ).update(status=Delivery.Status.FAILED, error="cancelled", claimed_at=None)


#: The counts of a mass send's progress: {key: the deliveries' status} (the card, the
#: list export's one query).
PROGRESS_COUNTS = {
    "sent": Delivery.Status.SENT,
    "failed": Delivery.Status.FAILED,
    "suppressed": Delivery.Status.SUPPRESSED,
    "remaining": Delivery.Status.QUEUED,
}


def progress(send: MassSend) -> dict[str, int]:
    counts = dict(
        Delivery.objects.filter(mass_send_id=send.pk)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return {
        "total": send.total,
        **{key: counts.get(status, 0) for key, status in PROGRESS_COUNTS.items()},
    }


def tick(now=None) -> dict[str, int]:
    """The scheduler's pass over mass sends: start those scheduled and due, restart a
    stalled expansion, complete those done."""
    from datetime import timedelta

    from crm.core.errors import DomainError
    from crm.messaging.services import stale_claim_seconds
    from tasks.messaging import expand_mass_send
    from workflows.engine import transition

    now = now or timezone.now()
    started = restarted = 0
    with scopes_disabled():
        for send in MassSend.objects.filter(
            status=MassSend.Status.SCHEDULED, scheduled_at__lte=now
        ).select_related("tenant"):
            try:
                transition(model=MassSend, pk=send.pk, name="start", tenant=send.tenant, actor=None)
                started += 1
            except DomainError as exc:
                log.warning("mass send %s could not start: %s", send.pk, exc)
        stale = now - timedelta(seconds=stale_claim_seconds())
        for pk in MassSend.objects.filter(
            status=MassSend.Status.SENDING, expanded_at__isnull=True, updated_at__lt=stale
        ).values_list("pk", flat=True):
            MassSend.objects.filter(pk=pk).update(updated_at=now)
            expand_mass_send.send(pk)
            restarted += 1
        for pk in MassSend.objects.filter(
            Q(status=MassSend.Status.SENDING) & Q(expanded_at__isnull=False)
        ).values_list("pk", flat=True):
            complete_if_done(pk)
    return {"started": started, "restarted": restarted}
