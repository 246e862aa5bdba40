"""Bulk transfer of leads and customers to a new owner (批量转移).

One transaction and a number of queries that does not grow with the rows: the
rows are read once, updated with one UPDATE, audited with one bulk insert, their
reminders re-planned through ``workflows.reminders.schedule_many`` (inserts in
batches of 1,000), and the related open opportunities and planned follow-ups
moved with one UPDATE each. The old owners (one notification each, with the
count) and the new owner are told after commit.
"""

from __future__ import annotations

from collections import Counter
from functools import partial

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from crm.core.errors import Invalid
from crm.core.models import AuditEntry, User
from crm.customers.models import Customer, Lead
from workflows import reminders
from workflows.customer import CustomerStatus
from workflows.lead import OPEN as OPEN_LEADS

#: Rows in one request at most (ids or a filter).
MAX_ROWS = 20_000


def bulk_transfer(
    *,
    tenant,
    actor,
    queryset: models.QuerySet,
    owner: User,
    reason: str,
    move_open_opportunities: bool = False,
    move_followups: bool = False,
    confirm_pending: bool = False,
) -> dict:
    """Give every transferable row of ``queryset`` (already limited to what the
    actor may see) to ``owner``. Leads move while open, customers while owned
    (the pool is claimed, not transferred). Returns the counts."""
    model = queryset.model
    if owner.tenant_id != tenant.pk or not owner.is_active or owner.is_system:
        raise Invalid(fields={"owner": [_("Unknown user.")]})
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(fields={"reason": [_("Give the reason for the transfer.")]})
    movable = (
        queryset.filter(status__in=OPEN_LEADS)
        if model is Lead
        else queryset.filter(status=CustomerStatus.OWNED)
    )
    now = timezone.now()
    with transaction.atomic():
        rows = list(
            movable.exclude(owner=owner)
            .select_for_update(of=("self",))
            .values_list("pk", "owner_id")
        )
        if len(rows) > MAX_ROWS:
            raise Invalid(
                fields={"ids": [_("Transfer at most %(n)d records at once.") % {"n": MAX_ROWS}]}
            )
        ids = [pk for pk, _old in rows]
        if move_open_opportunities and model is Customer and not confirm_pending:
            _refuse_pending(tenant, ids)
        result = {"transferred": len(ids), "opportunities": 0, "followups": 0}
        if not ids:
            return result
        model.objects.filter(tenant=tenant, pk__in=ids).update(
            owner=owner, owned_since=now, version=models.F("version") + 1
        )
        ct = ContentType.objects.get_for_model(model)
        AuditEntry.objects.bulk_create(
            [
                AuditEntry(
                    tenant=tenant,
                    actor=actor,
                    action="transfer",
                    content_type=ct,
                    object_id=pk,
                    changes={"owner": [old, owner.pk], "reason": reason},
                )
                for pk, old in rows
            ],
            batch_size=2000,
        )
        related = ("owner__team__leader",) if model is Lead else ("owner",)
        reminders.schedule_many(model, tenant=tenant, again=dict.fromkeys(ids), related=related)
        if move_open_opportunities and model is Customer:
            result["opportunities"] = _move_opportunities(tenant, ids, owner)
        if move_followups:
            result["followups"] = _move_followups(tenant, model, ids, owner)
        olds = Counter(old for _pk, old in rows if old)
        transaction.on_commit(
            partial(_notify, tenant.pk, model, dict(olds), owner.pk, len(ids), actor)
        )
    return result


def _refuse_pending(tenant, customer_ids: list[int]) -> None:
    """Quotes waiting for approval on the opportunities that would move: refused with
    their names unless the user confirms (``confirm_pending``)."""
    from crm.sales.models import Quote
    from workflows.opportunity import OPEN
    from workflows.quote import QuoteStatus

    pending = list(
        Quote.objects.filter(
            tenant=tenant,
            opportunity__customer_id__in=customer_ids,
            opportunity__status__in=OPEN,
            status=QuoteStatus.SUBMITTED,
        )
        .select_related("opportunity")
        .order_by("pk")[:11]
    )
    if not pending:
        return
    names = "、".join(str(q) for q in pending[:10]) + ("…" if len(pending) > 10 else "")
    raise Invalid(
        fields={
            "confirm_pending": [
                _(
                    "Waiting for approval: %(names)s. Their opportunities would move to the new "
                    "owner while an approver is deciding; confirm to move them anyway."
                )
                % {"names": names}
            ]
        }
    )


def _move_opportunities(tenant, customer_ids: list[int], owner) -> int:
    from crm.sales.models import Opportunity
    from workflows.opportunity import OPEN

    opportunities = Opportunity.objects.filter(
        tenant=tenant, customer_id__in=customer_ids, status__in=OPEN
    ).exclude(owner=owner)
    moved = list(opportunities.values_list("pk", flat=True))
    if moved:
        Opportunity.objects.filter(pk__in=moved).update(owner=owner)
        reminders.schedule_many(Opportunity, tenant=tenant, again=dict.fromkeys(moved))
    return len(moved)


def _move_followups(tenant, model, ids: list[int], owner) -> int:
    from crm.service.models import FollowUp
    from workflows.followup import FollowUpStatus

    link = "lead_id__in" if model is Lead else "customer_id__in"
    planned = FollowUp.objects.filter(
        tenant=tenant, status=FollowUpStatus.PLANNED, **{link: ids}
    ).exclude(owner=owner)
    moved = list(planned.values_list("pk", flat=True))
    if moved:
        FollowUp.objects.filter(pk__in=moved).update(owner=owner)
        reminders.schedule_many(
            FollowUp, tenant=tenant, again=dict.fromkeys(moved), related=("owner__team__leader",)
        )
    return len(moved)


def _notify(tenant_id: int, model, olds: dict[int, int], new_id: int, count: int, actor) -> None:
    """One notification per old owner and one for the new owner, inserted at once."""
    from crm.activities.models import Notification
    from tasks.notifications import send_notification_email

    users = {u.pk: u for u in User.objects.filter(pk__in=[*olds, new_id])}
    link = "/leads" if model is Lead else "/customers"
    by = actor.display_name if actor is not None else "-"
    notes = []
    for user_id, n in olds.items():
        if user_id == new_id or user_id not in users:
            continue
        with translation.override(users[user_id].language):
            title = _("%(n)d of your records were transferred to %(user)s") % {
                "n": n,
                "user": users[new_id].display_name,
            }
        notes.append(
            Notification(tenant_id=tenant_id, recipient_id=user_id, title=title, link=link)
        )
    with translation.override(users[new_id].language):
        title = _("%(user)s transferred %(n)d records to you") % {"user": by, "n": count}
    notes.append(Notification(tenant_id=tenant_id, recipient_id=new_id, title=title, link=link))
    created = Notification.objects.bulk_create(notes)
    for note in created:
        send_notification_email.send(note.pk)
