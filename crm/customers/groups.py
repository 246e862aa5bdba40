"""Customer groups (客户分组) and free tags (标签): their write path.

A customer is in any number of groups and carries any number of tags (one
``CustomerTag`` row each). Both are set on the customer's form, or in bulk
from a list selection (``bulk_label``): the ids given or the list's current
filter, groups and tags added or removed in one transaction with a number of
queries that does not grow with the rows (one read of the ids, one INSERT
... ON CONFLICT DO NOTHING or one DELETE per change, one bulk audit insert).
"""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils.translation import gettext as _

from crm.core.errors import Invalid
from crm.core.models import AuditEntry
from crm.core.validators import halfwidth, strip_invisible
from crm.core.writes import (
    audited_create,
    audited_delete,
    audited_update,
    refuse_protected,
    refuse_unknown,
)
from crm.customers.models import Customer, CustomerGroup, CustomerTag

GROUP_FIELDS = ("name", "description")
MAX_TAG_LENGTH = 30
MAX_TAGS = 20
#: Rows in one bulk request at most (ids or a filter).
MAX_ROWS = 20_000
Through = CustomerGroup.customers.through


# --- tags ---------------------------------------------------------------------------


def clean_tags(values, *, field: str = "tags") -> list[str]:
    """Trimmed (full-width folded), unique in order; refuses empty and overlong tags."""
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    out: list[str] = []
    for value in values:
        tag = strip_invisible(halfwidth(str(value))).strip()
        if not tag:
            continue
        if len(tag) > MAX_TAG_LENGTH:
            raise Invalid(
                fields={
                    field: [
                        _("A tag has at most %(n)d characters: “%(tag)s”.")
                        % {"n": MAX_TAG_LENGTH, "tag": tag[:40]}
                    ]
                }
            )
        if tag not in out:
            out.append(tag)
    if len(out) > MAX_TAGS:
        raise Invalid(fields={field: [_("At most %(n)d tags.") % {"n": MAX_TAGS}]})
    return out


def set_customer_tags(customer: Customer, tags: list[str]) -> list[list[str]] | None:
    """Replace the customer's tags; ``[before, after]`` when they changed, else None."""
    before = sorted(customer.tag_rows.values_list("name", flat=True))
    after = sorted(tags)
    if before == after:
        return None
    CustomerTag.objects.filter(customer=customer).exclude(name__in=after).delete()
    CustomerTag.objects.bulk_create(
        [CustomerTag(tenant_id=customer.tenant_id, customer=customer, name=t) for t in after],
        ignore_conflicts=True,
    )
    return [before, after]


def set_customer_groups(customer: Customer, groups) -> list[list[int]] | None:
    """Replace the customer's groups (of its tenant); ``[before, after]`` when changed."""
    groups = list(groups or [])
    if any(g.tenant_id != customer.tenant_id for g in groups):
        raise Invalid(fields={"groups": [_("Unknown record.")]})
    before = sorted(customer.groups.values_list("pk", flat=True))
    after = sorted({g.pk for g in groups})
    if before == after:
        return None
    customer.groups.set(after)
    return [before, after]


def tag_names(tenant) -> list[dict[str, Any]]:
    """The tenant's tags with how many customers carry each (one grouped query)."""
    return list(
        CustomerTag.objects.filter(tenant=tenant)
        .values("name")
        .annotate(customers=models.Count("id"))
        .order_by("-customers", "name")
    )


# --- groups -------------------------------------------------------------------------


def _check_name(tenant, data, group=None) -> None:
    if "name" not in data and group is not None:
        return
    name = strip_invisible(data.get("name") or "").strip()
    if not name:
        raise Invalid(fields={"name": [_("Enter the name.")]})
    taken = CustomerGroup.objects.filter(tenant=tenant, name=name)
    if group is not None:
        taken = taken.exclude(pk=group.pk)
    if taken.exists():
        raise Invalid(fields={"name": [_("Another group has this name.")]})
    data["name"] = name


def customer_group_create(*, tenant, actor, **data: Any) -> CustomerGroup:
    refuse_unknown(data, GROUP_FIELDS)
    _check_name(tenant, data)
    return audited_create(CustomerGroup, tenant=tenant, actor=actor, fields=data)


def customer_group_update(group: CustomerGroup, *, tenant, actor, **data: Any) -> CustomerGroup:
    refuse_unknown(data, GROUP_FIELDS)
    _check_name(tenant, data, group)
    audited_update(group, tenant=tenant, actor=actor, fields=data, allowed=GROUP_FIELDS)
    return group


def _group_unused(group: CustomerGroup) -> None:
    """A group a mass send still has to read its audience from answers 409 ``protected``
    naming how many: a draft or scheduled send, or one started but not yet expanded
    into its deliveries. A finished or cancelled send (or one whose recipients are
    written) no longer reads it and does not stop the delete.

    So does a campaign still planned or active that targets it: deleted, the group
    would leave the campaign's audience (its sends) falling back to its saved
    filter without a word. A completed or cancelled campaign does not stop it."""
    # Read at call time: messaging and marketing read customers, not the other way.
    from crm.marketing.models import Campaign
    from crm.messaging.models import MassSend
    from workflows.campaign import CampaignStatus

    status = MassSend.Status
    in_use = (
        MassSend._base_manager.filter(
            tenant_id=group.tenant_id, audience=MassSend.Audience.GROUP, group_id=group.pk
        )
        .filter(
            models.Q(status__in=(status.DRAFT, status.SCHEDULED))
            | models.Q(status__in=(status.SENDING, status.PAUSED), expanded_at__isnull=True)
        )
        .count()
    )
    campaigns = Campaign._base_manager.filter(
        tenant_id=group.tenant_id,
        target_group_id=group.pk,
        status__in=(CampaignStatus.PLANNED, CampaignStatus.ACTIVE),
    ).count()
    if in_use or campaigns:
        raise refuse_protected(group, {MassSend: in_use, Campaign: campaigns})


def customer_group_delete(group: CustomerGroup, *, tenant, actor) -> None:
    """Deleting a group leaves its customers as they are (only the membership goes);
    one a mass send or an open campaign still needs answers 409 ``protected``
    (``_group_unused``)."""
    audited_delete(group, tenant=tenant, actor=actor, check=_group_unused)


# --- bulk --------------------------------------------------------------------------


def bulk_label(
    *,
    tenant,
    actor,
    queryset: models.QuerySet,
    add_groups=(),
    remove_groups=(),
    add_tags=(),
    remove_tags=(),
) -> dict[str, int]:
    """Add/remove groups and tags on every customer of ``queryset`` (already limited to
    what the actor may see), in one transaction. Returns the counts of rows changed."""
    add_groups, remove_groups = list(add_groups), list(remove_groups)
    add_tags = clean_tags(add_tags, field="add_tags")
    remove_tags = clean_tags(remove_tags, field="remove_tags")
    for name, groups in (("add_groups", add_groups), ("remove_groups", remove_groups)):
        if any(g.tenant_id != tenant.pk for g in groups):
            raise Invalid(fields={name: [_("Unknown record.")]})
    if not (add_groups or remove_groups or add_tags or remove_tags):
        raise Invalid(fields={"add_groups": [_("Choose a group or a tag to add or remove.")]})
    with transaction.atomic():
        ids = list(queryset.order_by().values_list("pk", flat=True)[: MAX_ROWS + 1])
        if len(ids) > MAX_ROWS:
            raise Invalid(
                fields={"ids": [_("Change at most %(n)d records at once.") % {"n": MAX_ROWS}]}
            )
        result = {"customers": len(ids), "added": 0, "removed": 0}
        if not ids:
            return result
        if add_groups:
            created = Through.objects.bulk_create(
                [Through(customergroup_id=g.pk, customer_id=pk) for g in add_groups for pk in ids],
                ignore_conflicts=True,
                batch_size=5000,
            )
            result["added"] += len(created)
        if remove_groups:
            deleted, _rows = Through.objects.filter(
                customergroup_id__in=[g.pk for g in remove_groups], customer_id__in=ids
            ).delete()
            result["removed"] += deleted
        if add_tags:
            created = CustomerTag.objects.bulk_create(
                [
                    CustomerTag(tenant=tenant, customer_id=pk, name=t)
                    for t in add_tags
                    for pk in ids
                ],
                ignore_conflicts=True,
                batch_size=5000,
            )
            result["added"] += len(created)
        if remove_tags:
            deleted, _rows = CustomerTag.objects.filter(
                tenant=tenant, customer_id__in=ids, name__in=remove_tags
            ).delete()
            result["removed"] += deleted
        changes: dict[str, Any] = {}
        for key, values in (
            ("add_groups", [g.pk for g in add_groups]),
            ("remove_groups", [g.pk for g in remove_groups]),
            ("add_tags", add_tags),
            ("remove_tags", remove_tags),
        ):
            if values:
                changes[key] = values
        ct = ContentType.objects.get_for_model(Customer)
        AuditEntry.objects.bulk_create(
            [
                AuditEntry(
                    tenant=tenant,
                    actor=actor if actor is not None and actor.pk else None,
                    action="label",
                    content_type=ct,
                    object_id=pk,
                    changes=changes,
                )
                for pk in ids
            ],
            batch_size=2000,
        )
    return result
