"""Serializers for the core resources. Writes go through crm.core.services."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from crm.core.api.fields import RelatedLabelField
from crm.core.models import DataScope, DictionaryItem, Role, Team, User
from crm.core.permissions import registry
from crm.core.tenant_settings import DEFAULTS, LABELS, LIMITS


class TenantPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """A foreign key limited to the request's tenant (the scope filters it too).

    Takes ``model`` and optional ``filters``; the queryset is built per request,
    inside the tenant scope (a scoped manager cannot be queried at import time).
    """

    def __init__(self, *, model, filters=None, **kwargs):
        self.model = model
        self.filters = filters or {}
        if not kwargs.get("read_only"):
            kwargs["queryset"] = model._base_manager.none()
        super().__init__(**kwargs)

    def get_queryset(self):
        queryset = self.model.objects.filter(**self.filters)
        tenant = self.context.get("tenant")
        if tenant is None:
            return queryset.none()
        return queryset.filter(tenant_id=tenant.pk)


class VisiblePrimaryKeyField(TenantPrimaryKeyField):
    """A link to a record the requesting user may see: the rows its collection's
    viewset (``collection``, a router prefix) shows them, so tenant and data scope
    (own / team / all, the customer pool...) apply as on the record's card.

    A record out of sight answers as an id that does not exist (400 with the field
    named, DRF's ``does_not_exist`` message): its existence does not leak. An update
    may keep the link the record already has (an activity on a customer since moved
    to a colleague still saves unchanged); only a new link is checked.

    Two options, for the links that need them:

    - ``pool=False`` leaves out what the collection shows beyond the data scope as
      unowned (the public pool, ``include_unowned`` on its viewset): a sales
      document needs a claimed customer. Such a row is one the user sees, so it is
      refused with its own message (``in_pool``: claim it first), not as missing.
      A user whose scope is "all" sees every row as theirs, the pool included.
    - ``via`` names the link, on a row that has no collection of its own (a
      contract's installment), to the record whose collection decides (``contract``
      with ``collection="contracts"``): the row is visible when that record is.
    """

    default_error_messages = {
        "in_pool": _("This record is in the public pool: claim it first."),
    }

    def __init__(self, *, collection: str, pool: bool = True, via: str | None = None, **kwargs):
        self.collection = collection
        self.pool = pool
        self.via = via
        super().__init__(**kwargs)

    def _visible(self, queryset, *, pool: bool):
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if request is None or not getattr(user, "tenant_id", None):
            return queryset.none()  # no user to scope by: nothing is visible
        from crm.core.api.collection_view import collection_view

        view = collection_view(request, self.collection)
        if not pool:
            view.include_unowned = False
        visible = view.get_queryset().values("pk")
        return queryset.filter(**{f"{self.via}__in" if self.via else "pk__in": visible})

    def get_queryset(self):
        return self._visible(super().get_queryset(), pool=self.pool)

    def to_internal_value(self, data):
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as exc:
            kept = self._kept_link(data)
            if kept is not None:
                return kept
            if not self.pool and exc.get_codes() == ["does_not_exist"] and self._in_pool(data):
                self.fail("in_pool")
            raise

    def _in_pool(self, data) -> bool:
        """Whether ``data`` names a row the user sees only through the pool (asked
        after a refusal, so a valid link costs no extra query)."""
        queryset = self._visible(TenantPrimaryKeyField.get_queryset(self), pool=True)
        return queryset.filter(pk=data).exists()

    def _kept_link(self, data):
        """The record already linked when ``data`` names it (an update), else None.

        A nested line (a plan's items, saved as a whole list) has no instance of
        its own: its serializer's ``kept_links(source)`` names the ids the lines
        being replaced link, any of which a line may keep.
        """
        kept_links = getattr(self.parent, "kept_links", None)
        if kept_links is not None:
            if str(data) not in {str(pk) for pk in kept_links(self.source)}:
                return None
            tenant = self.context.get("tenant")
            found = self.model._base_manager.filter(pk=data)
            return found.filter(tenant_id=tenant.pk).first() if tenant is not None else None
        instance = getattr(self.parent, "instance", None)
        attname = f"{self.source}_id"
        current = getattr(instance, attname, None) if isinstance(instance, models.Model) else None
        if current is None or str(current) != str(data):
            return None
        return getattr(instance, self.source)


class ReplacedLinesMixin:
    """A line of a nested list that is saved whole (a plan's items, an event's
    participants): the lines carry no instance of their own, so the record ids the
    parent's current lines link are named here (``kept_links``), and a line sent
    back may keep them (``VisiblePrimaryKeyField``). A new link is still checked."""

    lines_of: type[models.Model]  # the parent's model
    lines_relation: str  # its lines' related name

    def kept_links(self, name: str) -> set:
        parent = getattr(self.root, "instance", None)
        if not isinstance(parent, self.lines_of) or parent.pk is None:
            return set()
        cache = self.__dict__.setdefault("_kept_links", {})
        if name not in cache:
            lines = getattr(parent, self.lines_relation)
            cache[name] = set(
                lines.filter(**{f"{name}__isnull": False}).values_list(f"{name}_id", flat=True)
            )
        return cache[name]


class SignupSerializer(serializers.Serializer):
    company = serializers.CharField(label=_("company"), max_length=200)
    username = serializers.RegexField(
        r"^[\w.@+-]+\Z",
        label=_("username"),
        max_length=150,
        error_messages={"invalid": _("Use letters, digits and @/./+/-/_ only.")},
    )
    password = serializers.CharField(label=_("password"), write_only=True, max_length=128)
    email = serializers.EmailField(label=_("e-mail"))


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(label=_("username"), max_length=150)
    password = serializers.CharField(label=_("password"), max_length=128)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True)


class UserSerializer(serializers.ModelSerializer):
    password = serializers.CharField(
        label=_("password"), write_only=True, required=False, max_length=128
    )
    roles = TenantPrimaryKeyField(label=_("roles"), many=True, model=Role, required=False)
    team = TenantPrimaryKeyField(label=_("team"), model=Team, required=False, allow_null=True)
    team_name = RelatedLabelField(source="team.name")

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "password",
            "email",
            "full_name",
            "roles",
            "team",
            "team_name",
            "language",
            "is_active",
        ]
        read_only_fields = ["is_active"]

    def validate(self, attrs):
        if self.instance is None and not attrs.get("password"):
            raise serializers.ValidationError({"password": [_("Enter a password.")]})
        return attrs


class RefusesUnknownKeys:
    # A body key the serializer has no field for is a 400 naming it: a misspelt
    # setting answered 200 and changed nothing. Refused with the other fields'
    # reasons, before anything is written. (A comment, not a docstring: the API
    # schema would describe every serializer using the mixin with it.)

    unknown_key_message = _("Unknown field.")

    def to_internal_value(self, data):
        unknown = []
        if isinstance(data, Mapping):
            unknown = sorted(str(key) for key in data if key not in self.fields)
        refused = {key: [self.unknown_key_message] for key in unknown}
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if refused and isinstance(exc.detail, dict):
                raise serializers.ValidationError({**exc.detail, **refused}) from None
            raise
        if refused:
            raise serializers.ValidationError(refused)
        return value


class MeSerializer(RefusesUnknownKeys, serializers.ModelSerializer):
    permissions = serializers.SerializerMethodField()
    modules_off = serializers.SerializerMethodField(
        help_text="Keys of the modules the company switched off."
    )
    data_scope = serializers.CharField(read_only=True)
    company = RelatedLabelField(source="tenant.name")
    company_logo = serializers.SerializerMethodField(help_text="The company logo's address.")

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "email",
            "full_name",
            "language",
            "team",
            "company",
            "company_logo",
            "permissions",
            "modules_off",
            "data_scope",
            "mobile",
            "page_size",
            "email_signature",
            "avatar_url",
        ]
        read_only_fields = ["id", "username", "team"]

    avatar_url = serializers.SerializerMethodField(help_text="The user's avatar's address.")

    def get_avatar_url(self, user) -> str | None:
        if not user.avatar:
            return None
        return f"/api/v1/me/avatar/?v={user.avatar.name.rsplit('/', 1)[-1]}"

    def validate_mobile(self, value: str) -> str:
        from django.core.exceptions import ValidationError

        from crm.core.validators import normalize_mobile

        if not value.strip():
            return ""
        try:
            return normalize_mobile(value)
        except ValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None

    def get_permissions(self, user) -> list[str]:
        # The codes of modules the company switched off are left out, so the web
        # app's menu and routes (built from these codes) drop those modules.
        from crm.core.modules import code_hidden, disabled_keys

        off = disabled_keys(user.tenant)
        return sorted(code for code in user.permission_codes if not code_hidden(code, off))

    def get_company_logo(self, user) -> str | None:
        from crm.core.api.company import logo_url

        return logo_url(user.tenant)

    def get_modules_off(self, user) -> list[str]:
        from crm.core.modules import disabled_keys

        return sorted(disabled_keys(user.tenant))


class RoleSerializer(serializers.ModelSerializer):
    permissions = serializers.ListField(
        child=serializers.CharField(max_length=100), label=_("permissions"), required=False
    )
    data_scope = serializers.ChoiceField(choices=DataScope.choices, label=_("data scope"))

    class Meta:
        model = Role
        # ``preset``: the default role this one started as (its template for the codes a
        # release adds, ``sync_permissions``); empty for a role the admin made.
        fields = ["id", "name", "permissions", "data_scope", "preset"]
        read_only_fields = ["preset"]

    def validate_permissions(self, codes):
        unknown = [c for c in codes if c not in registry]
        if unknown:
            raise serializers.ValidationError(
                _("Unknown permission codes: %(codes)s") % {"codes": ", ".join(unknown)}
            )
        return sorted(set(codes))


class TeamSerializer(serializers.ModelSerializer):
    parent = TenantPrimaryKeyField(
        label=_("parent team"), model=Team, required=False, allow_null=True
    )
    leader = TenantPrimaryKeyField(label=_("leader"), model=User, required=False, allow_null=True)
    leader_name = RelatedLabelField(source="leader.display_name")

    class Meta:
        model = Team
        fields = ["id", "name", "parent", "leader", "leader_name"]


class DictionaryItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = DictionaryItem
        fields = ["id", "kind", "code", "label", "order", "active"]


class PermissionCodeSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    module = serializers.CharField(help_text="The code's group (``sales.contract``).")
    module_label = serializers.CharField(help_text="What the group is about (合同).")
    transition = serializers.BooleanField(help_text="The right to take a process step.")
    app_module = serializers.CharField(help_text="The switchable module (``sales``).")
    app_module_label = serializers.CharField()


class DictionaryReorderSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(label=_("kind"), choices=DictionaryItem.Kind.choices)
    ids = serializers.ListField(
        label=_("values"),
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        max_length=1000,
    )


class SettingFieldSerializer(serializers.Serializer):
    """One tenant setting as the settings page shows it."""

    key = serializers.CharField()
    label = serializers.CharField()
    module = serializers.CharField()
    module_label = serializers.CharField()
    unit = serializers.CharField(
        help_text="hours, days, minutes, hour_of_day, count, percent, mb, switch or empty"
    )
    min = serializers.IntegerField()
    max = serializers.IntegerField()
    default = serializers.IntegerField()
    value = serializers.IntegerField()


class TenantSettingsSerializer(RefusesUnknownKeys, serializers.Serializer):
    """Every tenant setting, typed, with its limits."""

    unknown_key_message = _("Unknown setting.")

    def get_fields(self):
        return {
            key: serializers.IntegerField(
                label=LABELS[key],
                min_value=LIMITS[key][0],
                max_value=LIMITS[key][1],
                required=False,
                default=DEFAULTS[key],
            )
            for key in DEFAULTS
        }
