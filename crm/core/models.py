"""Tenants, users, teams, roles, dictionary data and the audit log."""

from __future__ import annotations

from functools import cached_property

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from crm.core.columns import reads
from crm.core.tenant_settings import DEFAULTS as TENANT_SETTING_DEFAULTS


class Tenant(models.Model):
    """A company using the CRM. Every business row points at one."""

    name = models.CharField(_("company"), max_length=200)
    settings = models.JSONField(_("settings"), default=dict, blank=True)
    # Keys of the modules this company switched off (crm.core.modules); data stays.
    modules_off = models.JSONField(_("modules switched off"), default=list, blank=True)
    # Every permission code this company has been offered (sign-up: all registered
    # codes). A code registered later is new to it: ``sync_permissions`` grants it to
    # the roles whose default template has it, once; an admin's removal then stays.
    permissions_offered = models.JSONField(
        _("permission codes offered"), default=list, blank=True, editable=False
    )
    # The company profile (GET/PATCH /api/v1/company/, crm.core.company).
    short_name = models.CharField(_("short name"), max_length=50, blank=True)
    logo = models.FileField(_("logo"), upload_to="logos/", blank=True, max_length=200)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Shanghai")
    fiscal_year_start = models.PositiveSmallIntegerField(
        _("fiscal year start month"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    currency_display = models.CharField(
        _("currency display"),
        max_length=10,
        default="symbol",
        choices=[("symbol", "¥1,234.00"), ("code", "CNY 1,234.00"), ("name", _("1,234.00 yuan"))],
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("tenant")
        verbose_name_plural = _("tenants")

    def __str__(self) -> str:
        return self.name

    def setting(self, key: str):
        """A tenant setting, falling back to the product default."""
        return self.settings.get(key, TENANT_SETTING_DEFAULTS[key])


class TenantModel(models.Model):
    """Base for every business row: carries its tenant, scoped by django-scopes.

    ``objects`` raises ``ScopeError`` outside ``scope(tenant=...)`` so an
    unscoped query cannot leak another tenant's rows.
    """

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")

    objects = ScopedManager(tenant="tenant")

    class Meta:
        abstract = True


class DataScope(models.TextChoices):
    OWN = "own", _("own records")
    TEAM = "team", _("own team incl. sub-teams")
    ALL = "all", _("all records")


SCOPE_RANK = {DataScope.OWN: 0, DataScope.TEAM: 1, DataScope.ALL: 2}


class Team(TenantModel):
    """A department or team; teams form a tree and drive the team data scope."""

    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent team"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("leader"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_teams",
    )

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="team_unique_name_per_tenant")
        ]

    def __str__(self) -> str:
        return self.name


class Role(TenantModel):
    """A tenant-defined role: permission codes plus a data scope."""

    name = models.CharField(_("name"), max_length=100)
    permissions = models.JSONField(_("permissions"), default=list, blank=True)
    data_scope = models.CharField(
        _("data scope"), max_length=10, choices=DataScope.choices, default=DataScope.OWN
    )
    # The default role this one was seeded from (its name in the permission
    # registry, ``registry.default_codes(preset)``), kept when the admin renames
    # it; empty for a role the admin created. New permission codes reach a role
    # through its preset only. A default, so a backup from before it restores.
    preset = models.CharField(
        _("default role"), max_length=100, blank=True, default="", editable=False
    )

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="role_unique_name_per_tenant")
        ]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A staff member of one tenant. Superusers (operators) may have no tenant."""

    tenant = models.ForeignKey(
        Tenant, null=True, blank=True, on_delete=models.CASCADE, related_name="users"
    )
    full_name = models.CharField(_("full name"), max_length=100, blank=True)
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    roles = models.ManyToManyField(Role, verbose_name=_("roles"), blank=True, related_name="users")
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default="zh-hans"
    )
    is_system = models.BooleanField(default=False, editable=False)
    # Personal settings (PATCH /api/v1/me/).
    mobile = models.CharField(_("mobile"), max_length=20, blank=True)
    avatar = models.FileField(_("avatar"), upload_to="avatars/", blank=True, max_length=200)
    page_size = models.PositiveSmallIntegerField(
        _("rows per page"),
        default=20,
        validators=[MinValueValidator(10), MaxValueValidator(200)],
    )
    email_signature = models.TextField(_("e-mail signature"), max_length=2000, blank=True)

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    @reads("full_name", "username")
    def display_name(self) -> str:
        return self.full_name or self.username

    # --- permission codes (roles are data; see crm.core.permissions) -------
    @cached_property
    def _role_rows(self) -> list[Role]:
        # A request signed in by token has them already (read with the token).
        if self.is_system or not self.tenant_id:
            return []
        return list(Role.objects.filter(users=self))

    @cached_property
    def permission_codes(self) -> frozenset[str]:
        if self.is_system:
            from crm.core.permissions import registry

            return frozenset(registry.codes())
        codes: set[str] = set()
        for role in self._role_rows:
            codes.update(role.permissions)
        return frozenset(codes)

    @cached_property
    def data_scope(self) -> str:
        if self.is_system:
            return DataScope.ALL
        scopes = [role.data_scope for role in self._role_rows] or [DataScope.OWN]
        return max(scopes, key=lambda s: SCOPE_RANK[s])

    def has_code(self, code: str) -> bool:
        return self.is_active and code in self.permission_codes

    def has_perm(self, perm: str, obj=None) -> bool:
        """Permission codes replace Django's model permissions for tenant users.

        django-fsm's ``has_transition_perm`` calls this with a transition's code.
        """
        if self.is_active and self.is_superuser and not self.tenant_id:
            return True
        return self.has_code(perm)


class DictionaryItem(TenantModel):
    """A tenant-editable picklist value (industry, source, level, loss reason...)."""

    class Kind(models.TextChoices):
        INDUSTRY = "industry", _("industry")
        SOURCE = "source", _("source")
        LEVEL = "level", _("customer level")
        REGION = "region", _("region")
        LOSS_REASON = "loss_reason", _("loss reason")
        DISQUALIFY_REASON = "disqualify_reason", _("disqualification reason")
        STOCK_CATEGORY = "stock_category", _("stock category")
        AD_CHANNEL = "ad_channel", _("advertising channel")

    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    code = models.CharField(_("code"), max_length=50)
    label = models.CharField(_("label"), max_length=100)
    order = models.PositiveIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("dictionary item")
        verbose_name_plural = _("dictionary items")
        ordering = ["kind", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "kind", "code"], name="dictionary_unique_code_per_kind"
            )
        ]

    def __str__(self) -> str:
        return self.label


class AuditEntry(TenantModel):
    """Who did what to which record, with the changed fields (before/after).

    An append-only log written in bulk (an import writes one entry per row):
    its references carry no database foreign-key constraint, like
    ``object_id``. Django still applies ``on_delete``; the writers take the ids
    from rows they have just read or written. A constraint check per reference
    and row was a fifth of a 20,000-row import's database time.
    """

    tenant = models.ForeignKey(
        Tenant, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    action = models.CharField(_("action"), max_length=50)
    # Indexed by the (content_type, object_id, -created_at) index below.
    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    object_id = models.BigIntegerField()
    changes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [models.Index(fields=["content_type", "object_id", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.action} #{self.object_id}"


class ApiToken(models.Model):
    """An API key of one user (``Authorization: Token <key>``); a user may hold several.

    Only a SHA-256 digest of the key is stored (a leaked table gives no usable
    key) plus its first characters, so the owner can tell their keys apart.
    Each key expires (``API_TOKEN_TTL_DAYS``); a password change, a reset by an
    administrator or a deactivation deletes the user's keys
    (``crm.core.credentials``).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(_("prefix"), max_length=8)
    client = models.CharField(_("client"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"))

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}…"


class UserSession(models.Model):
    """A signed-in browser session of a user, listed and revocable in personal settings.

    Django's database sessions cannot be found by user; this row links one to
    its user and goes with it (deleting the session deletes the row).
    """

    session = models.OneToOneField("sessions.Session", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sessions"
    )
    client = models.CharField(_("client"), max_length=200, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")

    def __str__(self) -> str:
        return f"{self.user_id} {self.created_at:%Y-%m-%d %H:%M}"


class Invitation(models.Model):
    """A one-time link that lets a user set their password: an invitation or a reset.

    Only a SHA-256 digest of the link's key is stored. A link works once
    (``used_at``) and until ``expires_at``; a newer link for the same user
    replaces the older ones (``crm.core.invitations``).
    """

    class Kind(models.TextChoices):
        INVITE = "invite", _("invitation")
        RESET = "reset", _("password reset")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitations"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    digest = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.kind} {self.user_id}"


class SavedView(TenantModel):
    """A named list view: the filters, columns and sort of one list, kept by a user.

    ``collection`` is the list's endpoint (``customers``); ``query`` its query
    parameters. A shared view is visible to the owner's team (crm.core.saved_views).
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        related_name="saved_views",
    )
    collection = models.CharField(_("list"), max_length=60)
    name = models.CharField(_("name"), max_length=60)
    query = models.JSONField(_("filters"), default=dict, blank=True)
    columns = models.JSONField(_("columns"), default=list, blank=True)
    shared = models.BooleanField(_("shared with the team"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "owner", "collection", "name"],
                name="saved_view_unique_name_per_owner",
            )
        ]

    def __str__(self) -> str:
        return self.name
