"""Customers, contacts and leads."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from crm.core.models import DictionaryItem, Tenant, TenantModel
from workflows.customer import CustomerProcessMixin
from workflows.lead import LeadProcessMixin


def _dictionary_fk(kind: str, verbose: str, related: str):
    return models.ForeignKey(
        DictionaryItem,
        verbose_name=verbose,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name=related,
        limit_choices_to={"kind": kind},
    )


class Customer(CustomerProcessMixin, TenantModel):
    """A customer: a company or a person, with an owner (none while in the public
    pool: its process lives in ``workflows/customer.py``)."""

    class Kind(models.TextChoices):
        COMPANY = "company", _("company")
        PERSON = "person", _("person")

    # Index review (bench/README.md): tenant_id leads this table's composite indexes,
    # which serve every tenant_id = ... look-up; a lone tenant_id index served none.
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+", db_index=False)
    code = models.CharField(_("customer code"), max_length=50, blank=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.COMPANY)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    industry = _dictionary_fk("industry", _("industry"), "+")
    level = _dictionary_fk("level", _("level"), "+")
    source = _dictionary_fk("source", _("source"), "+")
    region = models.CharField(_("region"), max_length=100, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # (tenant, owner...) serves the owner filter and the data scope
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    # A mainland mobile in E.164, like a contact's (legacy files bring 电话 and 手机).
    mobile = models.CharField(_("mobile"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    remark = models.TextField(_("remark"), blank=True)
    search_key = models.TextField(editable=False, default="")
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # never filtered or sorted on; users are deactivated, not deleted
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        indexes = [
            models.Index(fields=["tenant", "owner"]),
            models.Index(fields=["tenant", "credit_code"]),
            models.Index(fields=["tenant", "name"]),
            models.Index(fields=["tenant", "status"]),
        ]
        constraints = [
            # 客户编号: the natural key of imports, unique per tenant when given.
            models.UniqueConstraint(
                fields=["tenant", "code"],
                condition=~models.Q(code=""),
                name="customer_unique_code_per_tenant",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def tags(self) -> list[str]:
        """The customer's free tags (read from ``tag_rows``: prefetch it in lists)."""
        return sorted(t.name for t in self.tag_rows.all())


class PoolLevelRule(TenantModel):
    """Idle days before a customer of this level returns to the public pool,
    overriding the tenant's ``customer_pool_idle_days``."""

    level = models.ForeignKey(
        DictionaryItem,
        verbose_name=_("level"),
        on_delete=models.CASCADE,
        related_name="+",
        limit_choices_to={"kind": "level"},
    )
    idle_days = models.PositiveIntegerField(_("idle days"))

    class Meta:
        verbose_name = _("pool rule per level")
        verbose_name_plural = _("pool rules per level")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "level"], name="pool_level_rule_unique"),
            models.CheckConstraint(
                condition=models.Q(idle_days__gte=1, idle_days__lte=3650),
                name="pool_level_rule_days_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.level_id}: {self.idle_days}"


class Contact(TenantModel):
    # Index review (bench/README.md): tenant_id leads this table's composite indexes,
    # which serve every tenant_id = ... look-up; a lone tenant_id index served none.
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+", db_index=False)
    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="contacts",
        db_index=False,  # the (customer, mobile) index below serves it
    )
    name = models.CharField(_("name"), max_length=100)
    mobile = models.CharField(_("mobile"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    title = models.CharField(pgettext_lazy("contact", "title"), max_length=100, blank=True)
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    search_key = models.TextField(editable=False, default="")
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        indexes = [
            models.Index(fields=["tenant", "mobile"]),
            models.Index(fields=["customer", "mobile"]),
        ]

    def __str__(self) -> str:
        return self.name


class Lead(LeadProcessMixin, TenantModel):
    """A potential customer. Its process lives in ``workflows/lead.py``."""

    # Index review (bench/README.md): tenant_id leads this table's composite indexes,
    # which serve every tenant_id = ... look-up; a lone tenant_id index served none.
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+", db_index=False)
    company_name = models.CharField(_("company name"), max_length=200)
    contact_name = models.CharField(_("contact name"), max_length=100, blank=True)
    mobile = models.CharField(_("mobile"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    source = _dictionary_fk("source", _("source"), "+")
    need = models.TextField(_("need"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # (tenant, owner...) serves the owner filter and the data scope
    )
    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="leads",
    )
    # What brought the lead in (the marketing module's figures: leads, cost per lead).
    marketing_event = models.ForeignKey(
        "marketing.MarketingEvent",
        verbose_name=_("marketing event"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="leads",
    )
    ad_placement = models.ForeignKey(
        "marketing.AdPlacement",
        verbose_name=_("ad placement"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="leads",
    )
    # The campaign (战役) it is attributed to: the campaign's figures and ROI.
    campaign = models.ForeignKey(
        "marketing.Campaign",
        verbose_name=_("campaign"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="leads",
    )
    # What the assignment rules match on, besides the source.
    region = models.CharField(_("region"), max_length=100, blank=True)
    industry = _dictionary_fk("industry", _("industry"), "+")
    activity_count = models.PositiveIntegerField(_("activities"), default=0, editable=False)
    last_activity_at = models.DateTimeField(_("last activity"), null=True, blank=True)
    owned_since = models.DateTimeField(_("owned since"), null=True, blank=True)
    pooled_at = models.DateTimeField(_("returned to pool at"), null=True, blank=True)
    search_key = models.TextField(editable=False, default="")
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # never filtered or sorted on; users are deactivated, not deleted
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        indexes = [
            models.Index(fields=["tenant", "status", "-created_at"]),
            models.Index(fields=["tenant", "owner", "-created_at"]),
            models.Index(fields=["tenant", "mobile"]),
        ]

    def __str__(self) -> str:
        return self.company_name


class AssignmentRule(TenantModel):
    """Who gets a new lead without an owner (API, web forms, imports): the first
    active rule, by ``order``, whose match fields fit (empty matches all).

    ``round_robin`` takes the team's active members in turn (``last_user``
    remembers whose turn it was), ``least_loaded`` the member with the fewest
    open leads, ``user`` a named user. No rule fits: the creator owns the lead.
    """

    class Strategy(models.TextChoices):
        ROUND_ROBIN = "round_robin", _("round robin within the team")
        LEAST_LOADED = "least_loaded", _("least-loaded member of the team")
        USER = "user", _("a named user")

    name = models.CharField(_("name"), max_length=100)
    order = models.PositiveIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)
    source = _dictionary_fk("source", _("source"), "+")
    region = models.CharField(_("region"), max_length=100, blank=True)
    industry = _dictionary_fk("industry", _("industry"), "+")
    campaign = models.ForeignKey(
        "marketing.Campaign",
        verbose_name=_("campaign"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    strategy = models.CharField(
        _("strategy"), max_length=20, choices=Strategy.choices, default=Strategy.ROUND_ROBIN
    )
    team = models.ForeignKey(
        "core.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    last_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("assignment rule")
        verbose_name_plural = _("assignment rules")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


class CustomerGroup(TenantModel):
    """A named group of customers (客户分组); a customer may be in several. Lists and
    exports filter by it (``?group=``) and campaigns take their targets from it."""

    name = models.CharField(_("name"), max_length=100)
    description = models.CharField(_("description"), max_length=300, blank=True)
    customers = models.ManyToManyField(
        Customer, verbose_name=_("customers"), blank=True, related_name="groups"
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("customer group")
        verbose_name_plural = _("customer groups")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="customer_group_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class CustomerTag(TenantModel):
    """A free tag on a customer (one row per customer and tag; ``?tag=`` filters)."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="tag_rows"
    )
    name = models.CharField(_("tag"), max_length=30)

    class Meta:
        verbose_name = _("customer tag")
        verbose_name_plural = _("customer tags")
        constraints = [
            models.UniqueConstraint(fields=["customer", "name"], name="customer_tag_unique")
        ]
        indexes = [models.Index(fields=["tenant", "name"])]

    def __str__(self) -> str:
        return self.name


def _public_key() -> str:
    return secrets.token_urlsafe(16)


class LeadForm(TenantModel):
    """A web form (表单收集) published at ``/f/<public_key>/``: whoever fills it in
    leaves a lead with the form's source and campaign, owned by the assignment
    rules (else ``default_owner``, else the form's creator)."""

    class Field(models.TextChoices):
        CONTACT_NAME = "contact_name", _("contact name")
        MOBILE = "mobile", _("mobile")
        EMAIL = "email", _("e-mail")
        REGION = "region", _("region")
        NEED = "need", _("need")

    name = models.CharField(_("name"), max_length=100)
    public_key = models.CharField(
        _("public key"), max_length=40, unique=True, default=_public_key, editable=False
    )
    title = models.CharField(_("title shown"), max_length=200, blank=True)
    fields = models.JSONField(_("fields shown"), default=list, blank=True)
    source = _dictionary_fk("source", _("source"), "+")
    campaign = models.ForeignKey(
        "marketing.Campaign",
        verbose_name=_("campaign"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lead_forms",
    )
    default_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner when no rule fits"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    thank_you = models.TextField(_("thank-you text"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    submissions = models.PositiveIntegerField(_("submissions"), default=0, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("lead form")
        verbose_name_plural = _("lead forms")

    def __str__(self) -> str:
        return self.name
