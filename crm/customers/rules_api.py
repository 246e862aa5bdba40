"""``/api/v1/assignment-rules/`` (ordered rules giving new leads an owner) and
``/api/v1/pool-level-rules/`` (idle days per customer level)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from rest_framework import serializers

from crm.core.api.fields import RelatedLabelField
from crm.core.api.serializers import TenantPrimaryKeyField
from crm.core.api.viewsets import RecordViewSet
from crm.core.errors import Invalid
from crm.core.models import DictionaryItem, Team, User
from crm.core.writes import audited_create, audited_delete, audited_update
from crm.customers.models import AssignmentRule, PoolLevelRule

RULE_FIELDS = (
    "name",
    "order",
    "active",
    "source",
    "region",
    "industry",
    "campaign",
    "strategy",
    "team",
    "user",
)
Strategy = AssignmentRule.Strategy


def _check_rule(values: dict[str, Any]) -> None:
    """A team strategy needs a team; ``user`` needs the user."""
    strategy = values.get("strategy")
    if strategy == Strategy.USER and values.get("user") is None:
        raise Invalid(fields={"user": [_("Choose the user who gets the leads.")]})
    if strategy in (Strategy.ROUND_ROBIN, Strategy.LEAST_LOADED) and values.get("team") is None:
        raise Invalid(fields={"team": [_("Choose the team whose members get the leads.")]})


def assignment_rule_create(*, tenant, actor, **data: Any) -> AssignmentRule:
    _check_rule({"strategy": Strategy.ROUND_ROBIN, **data})
    return audited_create(
        AssignmentRule, tenant=tenant, actor=actor, fields=data, audit_fields=list(data)
    )


def assignment_rule_update(rule: AssignmentRule, *, tenant, actor, **data: Any) -> AssignmentRule:
    current = {name: getattr(rule, name) for name in ("strategy", "team", "user")}
    _check_rule({**current, **data})
    audited_update(rule, tenant=tenant, actor=actor, fields=data, allowed=RULE_FIELDS)
    return rule


def assignment_rule_delete(rule: AssignmentRule, *, tenant, actor) -> None:
    audited_delete(rule, tenant=tenant, actor=actor)


def _dictionary(kind: str, label):
    return TenantPrimaryKeyField(
        label=label,
        model=DictionaryItem,
        filters={"kind": kind, "active": True},
        required=False,
        allow_null=True,
    )


class AssignmentRuleSerializer(serializers.ModelSerializer):
    source = _dictionary("source", _lazy("source"))
    industry = _dictionary("industry", _lazy("industry"))
    team = TenantPrimaryKeyField(label=_lazy("team"), model=Team, required=False, allow_null=True)
    campaign = TenantPrimaryKeyField(
        label=_lazy("campaign"),
        model=AssignmentRule._meta.get_field("campaign").related_model,
        required=False,
        allow_null=True,
    )
    campaign_name = RelatedLabelField(source="campaign.name")
    user = TenantPrimaryKeyField(
        label=_lazy("user"),
        model=User,
        filters={"is_active": True, "is_system": False},
        required=False,
        allow_null=True,
    )
    source_label = RelatedLabelField(source="source.label")
    industry_label = RelatedLabelField(source="industry.label")
    team_name = RelatedLabelField(source="team.name")
    user_name = RelatedLabelField(source="user.display_name")
    strategy_label = serializers.CharField(source="get_strategy_display", read_only=True)

    class Meta:
        model = AssignmentRule
        fields = [
            "id",
            "name",
            "order",
            "active",
            "source",
            "source_label",
            "region",
            "industry",
            "industry_label",
            "campaign",
            "campaign_name",
            "strategy",
            "strategy_label",
            "team",
            "team_name",
            "user",
            "user_name",
            "version",
            "created_at",
        ]
        read_only_fields = ["version", "created_at"]


class AssignmentRuleViewSet(RecordViewSet):
    model = AssignmentRule
    serializer_class = AssignmentRuleSerializer
    permission_module = "assignment_rules"
    ordering_fields = ["order", "id", "name"]
    ordering = ["order", "id"]
    create_service = staticmethod(assignment_rule_create)
    update_service = staticmethod(assignment_rule_update)
    delete_service = staticmethod(assignment_rule_delete)

    def get_queryset(self):
        return (
            super().get_queryset().select_related("source", "industry", "campaign", "team", "user")
        )


def _check_after_warning(tenant, idle_days: int | None) -> None:
    """A level's idle days, like the tenant's, must leave room for the warning
    (``customer_pool_warning_days``) before the customer returns to the pool."""
    if idle_days is not None and idle_days <= tenant.setting("customer_pool_warning_days"):
        raise Invalid(
            fields={"idle_days": [_("The warning must come before the return to the pool.")]}
        )


def pool_level_rule_create(*, tenant, actor, **data: Any) -> PoolLevelRule:
    if PoolLevelRule.objects.filter(tenant=tenant, level=data.get("level")).exists():
        raise Invalid(fields={"level": [_("This level has its idle days already.")]})
    _check_after_warning(tenant, data.get("idle_days"))
    return audited_create(
        PoolLevelRule, tenant=tenant, actor=actor, fields=data, audit_fields=list(data)
    )


def pool_level_rule_update(rule: PoolLevelRule, *, tenant, actor, **data: Any) -> PoolLevelRule:
    level = data.get("level")
    if level is not None and level != rule.level:
        if PoolLevelRule.objects.filter(tenant=tenant, level=level).exists():
            raise Invalid(fields={"level": [_("This level has its idle days already.")]})
    _check_after_warning(tenant, data.get("idle_days"))
    audited_update(rule, tenant=tenant, actor=actor, fields=data, allowed=("level", "idle_days"))
    return rule


def pool_level_rule_delete(rule: PoolLevelRule, *, tenant, actor) -> None:
    audited_delete(rule, tenant=tenant, actor=actor)


class PoolLevelRuleSerializer(serializers.ModelSerializer):
    level = TenantPrimaryKeyField(
        label=_lazy("level"), model=DictionaryItem, filters={"kind": "level"}
    )
    level_label = RelatedLabelField(source="level.label")
    idle_days = serializers.IntegerField(label=_lazy("idle days"), min_value=1, max_value=3650)

    class Meta:
        model = PoolLevelRule
        fields = ["id", "level", "level_label", "idle_days"]


class PoolLevelRuleViewSet(RecordViewSet):
    model = PoolLevelRule
    serializer_class = PoolLevelRuleSerializer
    permission_module = "assignment_rules"
    ordering = ["id"]
    create_service = staticmethod(pool_level_rule_create)
    update_service = staticmethod(pool_level_rule_update)
    delete_service = staticmethod(pool_level_rule_delete)

    def get_queryset(self):
        return super().get_queryset().select_related("level")


def register_routes(router) -> list:
    router.register("assignment-rules", AssignmentRuleViewSet, basename="assignment-rule")
    router.register("pool-level-rules", PoolLevelRuleViewSet, basename="pool-level-rule")
    return []
