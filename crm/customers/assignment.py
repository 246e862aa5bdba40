"""Assignment rules at work: who owns a new lead that came without an owner.

An ``Assigner`` reads the tenant's active rules once (locked in the caller's
transaction, so two requests take round-robin turns one after the other), the
members of their teams and, for ``least_loaded``, the open-lead count per
member in one grouped query; it then picks owners in memory, for one lead
(``lead_create``, the public form) or thousands (imports), and ``save``
writes the round-robin cursors back.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from django.db.models import Count

from crm.core.models import User
from crm.customers.models import AssignmentRule, Lead
from workflows.lead import OPEN

Strategy = AssignmentRule.Strategy


class Assigner:
    def __init__(self, tenant, *, lock: bool = True) -> None:
        rules = AssignmentRule.objects.filter(tenant=tenant, active=True).order_by("order", "id")
        if lock:
            rules = rules.select_for_update()
        self.tenant = tenant
        self.rules = list(rules)
        self.members: dict[int, list[int]] = defaultdict(list)
        team_ids = {r.team_id for r in self.rules if r.team_id and r.strategy != Strategy.USER}
        named = {r.user_id for r in self.rules if r.strategy == Strategy.USER and r.user_id}
        users = User.objects.filter(tenant=tenant, is_active=True, is_system=False)
        for pk, team_id in users.filter(team_id__in=team_ids).values_list("pk", "team_id"):
            self.members[team_id].append(pk)
        for ids in self.members.values():
            ids.sort()
        self.named = set(users.filter(pk__in=named).values_list("pk", flat=True))
        self._loads: Counter | None = None
        self._moved: set[int] = set()

    def _load(self) -> Counter:
        if self._loads is None:
            everyone = [pk for ids in self.members.values() for pk in ids]
            rows = (
                Lead.objects.filter(tenant=self.tenant, owner_id__in=everyone, status__in=OPEN)
                .values("owner_id")
                .annotate(n=Count("id"))
            )
            self._loads = Counter({row["owner_id"]: row["n"] for row in rows})
        return self._loads

    @staticmethod
    def matches(
        rule: AssignmentRule, *, source_id=None, region="", industry_id=None, campaign_id=None
    ) -> bool:
        """Empty match fields match all; the rule's region is found within the lead's
        (a rule for 华东 takes 华东 上海)."""
        if rule.source_id and rule.source_id != source_id:
            return False
        if rule.campaign_id and rule.campaign_id != campaign_id:
            return False
        if rule.industry_id and rule.industry_id != industry_id:
            return False
        return not (rule.region and rule.region not in (region or ""))

    def pick(self, *, source_id=None, region="", industry_id=None, campaign_id=None) -> int | None:
        """The owner's id by the first matching rule that has someone to give it to."""
        for rule in self.rules:
            if not self.matches(
                rule,
                source_id=source_id,
                region=region,
                industry_id=industry_id,
                campaign_id=campaign_id,
            ):
                continue
            chosen = self._choose(rule)
            if chosen is not None:
                return chosen
        return None

    def _choose(self, rule: AssignmentRule) -> int | None:
        if rule.strategy == Strategy.USER:
            return rule.user_id if rule.user_id in self.named else None
        members = self.members.get(rule.team_id) or []
        if not members:
            return None
        if rule.strategy == Strategy.LEAST_LOADED:
            loads = self._load()
            chosen = min(members, key=lambda pk: (loads[pk], pk))
            loads[chosen] += 1
            return chosen
        last = rule.last_user_id
        chosen = next((pk for pk in members if last is None or pk > last), members[0])
        rule.last_user_id = chosen
        self._moved.add(rule.pk)
        if self._loads is not None:
            self._loads[chosen] += 1
        return chosen

    def save(self) -> None:
        """Store whose turn it was (one UPDATE per round-robin rule used)."""
        for rule in self.rules:
            if rule.pk in self._moved:
                AssignmentRule.objects.filter(pk=rule.pk).update(last_user_id=rule.last_user_id)
        self._moved.clear()


def owner_for_new_lead(
    *, tenant, source=None, region="", industry=None, campaign=None
) -> int | None:
    """One lead's owner by the rules (None: no rule fits), inside the caller's transaction."""
    assigner = Assigner(tenant)
    chosen = assigner.pick(
        source_id=getattr(source, "pk", source),
        region=region,
        industry_id=getattr(industry, "pk", industry),
        campaign_id=getattr(campaign, "pk", campaign),
    )
    assigner.save()
    return chosen
