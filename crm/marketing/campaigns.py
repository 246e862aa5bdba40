"""Campaigns (战役): the write path, the target list and the figures.

Figures are computed, never stored, for any number of campaigns in six
grouped queries (``campaign_figures``):

* leads produced: leads whose ``campaign`` is the campaign;
* opportunities: those attributed to the campaign, directly (their own
  ``campaign``) or through their lead when they name none;
* conversion to opportunity / to won: the share of the campaign's leads with
  at least one attributed opportunity / one attributed won opportunity;
* won amount: the sum of the attributed won opportunities' amounts;
* cost = the actual cost entered on the campaign + the goods issued on
  requisitions naming the campaign (less what came back on returns; goods for
  the campaign's events count on the events);
* cost per lead = cost / leads; ROI = (won amount - cost) / cost.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.core.errors import Frozen, Invalid
from crm.core.search import build_search_key
from crm.core.writes import (
    audited_create,
    audited_delete,
    audited_update,
    check_same_tenant,
    refuse_unknown,
)
from crm.marketing.models import ZERO, Campaign, CampaignMember
from crm.marketing.selectors import goods_cost
from workflows.campaign import CampaignStatus

CAMPAIGN_FIELDS = (
    "name",
    "starts_on",
    "ends_on",
    "budget",
    "cost",
    "description",
    "owner",
    "target_group",
    "target_filter",
)
MEMBER_FIELDS = ("response", "note")
#: Members added in one request at most.
MAX_MEMBERS = 20_000
#: The customer-list filters a saved target filter may use.
TARGET_FILTER_KEYS = (
    "search",
    "owner",
    "industry",
    "level",
    "source",
    "kind",
    "region",
    "status",
    "group",
    "tag",
    "pool",
    "created_at_after",
    "created_at_before",
)


def _key(campaign: Campaign) -> str:
    return build_search_key(campaign.name)


def _check(data: dict[str, Any], campaign: Campaign | None = None) -> None:
    if "name" in data or campaign is None:
        data["name"] = (data.get("name") or "").strip()
        if not data["name"]:
            raise Invalid(fields={"name": [_("Enter the name.")]})
    starts = data.get("starts_on", getattr(campaign, "starts_on", None))
    ends = data.get("ends_on", getattr(campaign, "ends_on", None))
    if starts and ends and ends < starts:
        raise Invalid(fields={"ends_on": [_("The end cannot be before the start.")]})
    for name in ("budget", "cost"):
        if data.get(name) is not None and data[name] < 0:
            raise Invalid(fields={name: [_("Enter a number that is not negative.")]})
    if "target_filter" in data:
        value = data["target_filter"] or {}
        # The values are checked as the customer list reads them (target_filter_errors).
        if not isinstance(value, dict) or not all(k in TARGET_FILTER_KEYS for k in value):
            raise Invalid(
                fields={
                    "target_filter": [
                        _("Use the customer list's filters: %(names)s.")
                        % {"names": ", ".join(TARGET_FILTER_KEYS)}
                    ]
                }
            )
        data["target_filter"] = value


def target_filter_errors(tenant, value: dict) -> list[str]:
    """Why the customer list refuses ``value`` for the company (each reason naming its
    filter): caught when the target is saved, not when members are added from it."""
    from crm.customers import saved_filter

    return saved_filter.filter_errors(tenant.pk, value or {})


def target_customers(campaign: Campaign, customers):
    """``customers`` (the company's, in the caller's scope) that the campaign's target
    filter picks, as the customer list would; a filter it refuses is a 400 naming
    ``target_filter``."""
    from crm.customers import saved_filter

    return saved_filter.filtered(
        customers, campaign.tenant_id, campaign.target_filter or {}, field="target_filter"
    )


def _check_target(tenant, data: dict[str, Any]) -> None:
    reasons = target_filter_errors(tenant, data.get("target_filter") or {})
    if reasons:
        raise Invalid(fields={"target_filter": reasons})


def _open(campaign: Campaign) -> None:
    if campaign.status == CampaignStatus.CANCELLED:
        raise Frozen(_("A cancelled campaign can no longer be changed."))


def campaign_create(*, tenant, actor, **data: Any) -> Campaign:
    refuse_unknown(data, CAMPAIGN_FIELDS)
    check_same_tenant(tenant, owner=data.get("owner"), target_group=data.get("target_group"))
    _check(data)
    _check_target(tenant, data)
    data.setdefault("owner", actor)
    return audited_create(Campaign, tenant=tenant, actor=actor, fields=data, key_fn=_key)


def campaign_update(campaign: Campaign, *, tenant, actor, **data: Any) -> Campaign:
    """Campaigns stay editable once completed (a late invoice moves the actual cost);
    cancelled ones are frozen."""
    refuse_unknown(data, CAMPAIGN_FIELDS)
    check_same_tenant(tenant, owner=data.get("owner"), target_group=data.get("target_group"))
    _check(data, campaign)
    _check_target(tenant, data)
    _open(campaign)
    audited_update(campaign, tenant=tenant, actor=actor, fields=data, check=_open, key_fn=_key)
    return campaign


def campaign_delete(campaign: Campaign, *, tenant, actor) -> None:
    """A campaign with leads, opportunities, events or forms is protected (409)."""
    audited_delete(campaign, tenant=tenant, actor=actor)


# --- the target list --------------------------------------------------------------------


def add_members(*, tenant, actor, campaign: Campaign, customers: QuerySet) -> int:
    """Put the customers of ``customers`` (already limited to what the actor may see)
    on the target list; those already on it stay as they are. Returns how many were added."""
    _open(campaign)
    with transaction.atomic():
        ids = list(customers.order_by().values_list("pk", flat=True)[: MAX_MEMBERS + 1])
        if len(ids) > MAX_MEMBERS:
            raise Invalid(
                fields={
                    "customers": [_("Add at most %(n)d customers at once.") % {"n": MAX_MEMBERS}]
                }
            )
        before = CampaignMember.objects.filter(campaign=campaign).count()
        CampaignMember.objects.bulk_create(
            [CampaignMember(tenant=tenant, campaign=campaign, customer_id=pk) for pk in ids],
            ignore_conflicts=True,
            batch_size=5000,
        )
        added = CampaignMember.objects.filter(campaign=campaign).count() - before
        from crm.core import audit

        audit.record(
            tenant=tenant,
            actor=actor,
            action="add_members",
            obj=campaign,
            changes={"members": [before, before + added]},
        )
    return added


def member_update(member: CampaignMember, *, tenant, actor, **data: Any) -> CampaignMember:
    """Record a member's response (``responded_at`` follows the first answer)."""
    refuse_unknown(data, MEMBER_FIELDS)
    extra = []
    if data.get("response") not in (None, CampaignMember.Response.TARGETED):
        if member.responded_at is None:
            member.responded_at = timezone.now()
            extra.append("responded_at")
    audited_update(
        member, tenant=tenant, actor=actor, fields=data, allowed=MEMBER_FIELDS, extra_fields=extra
    )
    return member


def member_delete(member: CampaignMember, *, tenant, actor) -> None:
    audited_delete(member, tenant=tenant, actor=actor)


# --- figures -------------------------------------------------------------------------


def _ratio(part, whole, places: str = "0.0001") -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def campaign_figures(campaigns: list[Campaign]) -> dict[int, dict[str, Any]]:
    """The figures of each campaign, in six grouped queries for any number of them."""
    from crm.customers.models import Lead
    from crm.sales.models import Opportunity
    from workflows.opportunity import OpportunityStatus

    ids = [c.pk for c in campaigns]
    if not ids:
        return {}
    won = Q(status=OpportunityStatus.WON)
    leads = dict(
        Lead.objects.filter(campaign_id__in=ids)
        .values("campaign_id")
        .annotate(n=Count("id"))
        .values_list("campaign_id", "n")
    )
    with_opp = {
        row["campaign_id"]: row
        # Only opportunities attributed to the lead's campaign (one naming another
        # campaign counts there): both conditions on the same opportunity row.
        for row in Lead.objects.filter(
            Q(opportunities__campaign__isnull=True)
            | Q(opportunities__campaign_id=F("campaign_id")),
            campaign_id__in=ids,
            opportunities__isnull=False,
        )
        .values("campaign_id")
        .annotate(
            n=Count("id", distinct=True),
            won=Count("id", distinct=True, filter=Q(opportunities__status=OpportunityStatus.WON)),
        )
    }
    opps = {
        row["attributed"]: row
        for row in Opportunity.objects.annotate(
            attributed=Coalesce("campaign_id", "lead__campaign_id")
        )
        .filter(attributed__in=ids)
        .values("attributed")
        .annotate(
            n=Count("id"),
            won_n=Count("id", filter=won),
            won_amount=Coalesce(Sum("amount", filter=won), Value(ZERO)),
        )
    }
    members = {
        row["campaign_id"]: row
        for row in CampaignMember.objects.filter(campaign_id__in=ids)
        .values("campaign_id")
        .annotate(n=Count("id"), responded=Count("id", filter=~Q(response="targeted")))
    }
    goods = goods_cost("campaign", ids)
    out = {}
    for campaign in campaigns:
        pk = campaign.pk
        n_leads = leads.get(pk, 0)
        opp = opps.get(pk, {})
        won_amount = (opp.get("won_amount") or ZERO).quantize(Decimal("0.01"))
        actual_cost = campaign.cost or ZERO
        goods_cost_ = (goods.get(pk) or ZERO).quantize(Decimal("0.01"))
        cost = actual_cost + goods_cost_
        out[pk] = {
            "members": members.get(pk, {}).get("n", 0),
            "responded": members.get(pk, {}).get("responded", 0),
            "leads": n_leads,
            "opportunities": opp.get("n", 0),
            "won": opp.get("won_n", 0),
            "won_amount": won_amount,
            "actual_cost": actual_cost,
            "goods_cost": goods_cost_,
            "cost": cost,
            "budget": campaign.budget or ZERO,
            "conversion_to_opportunity": _ratio(with_opp.get(pk, {}).get("n", 0), n_leads),
            "conversion_to_won": _ratio(with_opp.get(pk, {}).get("won", 0), n_leads),
            "cost_per_lead": _ratio(cost, n_leads, "0.01"),
            "roi": _ratio(won_amount - cost, cost) if cost > 0 else None,
        }
    return out
