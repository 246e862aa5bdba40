"""The sales pipeline: products, opportunities, requirements and solutions,
versioned quotes, contracts with payment plans, payments, approval bands and
the per-tenant number sequence.

Processes live in ``workflows/{opportunity,quote,contract,payment}.py``;
``crm.sales.freeze`` keeps confirmed documents frozen at the model layer.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from crm.core.models import DictionaryItem, TenantModel
from crm.sales.freeze import Freezable
from workflows import contract as contract_process
from workflows import payment as payment_process
from workflows import quote as quote_process
from workflows.contract import ContractProcessMixin, InstallmentStatus
from workflows.opportunity import OpportunityProcessMixin
from workflows.payment import PaymentProcessMixin
from workflows.quote import QuoteProcessMixin

ZERO = Decimal("0.00")


def money_field(verbose, **kwargs):
    kwargs.setdefault("default", ZERO)
    return models.DecimalField(verbose, max_digits=14, decimal_places=2, **kwargs)


def _user_fk(verbose, **kwargs):
    kwargs.setdefault("null", True)
    kwargs.setdefault("blank", True)
    kwargs.setdefault("on_delete", models.PROTECT)
    return models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=verbose, related_name="+", **kwargs
    )


class Product(TenantModel):
    """A small catalog so quotes and contracts have lines."""

    code = models.CharField(_("code"), max_length=50)
    name = models.CharField(_("name"), max_length=200)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    price = money_field(_("list price"))
    active = models.BooleanField(_("active"), default=True)
    search_key = models.TextField(editable=False, default="")
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "code"], name="product_unique_code")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Opportunity(OpportunityProcessMixin, TenantModel):
    """A sales opportunity (销售机会); its stage is the process state."""

    name = models.CharField(_("name"), max_length=200)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="opportunities",
    )
    contact = models.ForeignKey(
        "customers.Contact",
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="opportunities",
    )
    owner = _user_fk(_("owner"))
    amount = money_field(_("amount"))
    expected_close_date = models.DateField(_("expected close date"), null=True, blank=True)
    source = models.ForeignKey(
        DictionaryItem,
        verbose_name=_("source"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": "source"},
    )
    loss_reason = models.ForeignKey(
        DictionaryItem,
        verbose_name=_("loss reason"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": "loss_reason"},
    )
    lead = models.ForeignKey(
        "customers.Lead",
        verbose_name=_("lead"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="opportunities",
    )
    # The campaign (战役) it is attributed to (else its lead's): the campaign's figures.
    campaign = models.ForeignKey(
        "marketing.Campaign",
        verbose_name=_("campaign"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="opportunities",
    )
    search_key = models.TextField(editable=False, default="")
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = _user_fk(_("created by"), on_delete=models.SET_NULL)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        indexes = [
            models.Index(fields=["tenant", "status", "-created_at"]),
            models.Index(fields=["tenant", "owner", "-created_at"]),
            models.Index(fields=["tenant", "closed_on"]),
        ]

    def __str__(self) -> str:
        return self.name


class Requirement(TenantModel):
    """A customer requirement (客户需求) recorded on an opportunity."""

    class Priority(models.TextChoices):
        HIGH = "high", _("high")
        MEDIUM = "medium", _("medium")
        LOW = "low", _("low")

    opportunity = models.ForeignKey(
        Opportunity,
        verbose_name=_("opportunity"),
        on_delete=models.CASCADE,
        related_name="requirements",
    )
    description = models.TextField(_("description"))
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.MEDIUM
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = _user_fk(_("created by"), on_delete=models.SET_NULL)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("requirement")
        verbose_name_plural = _("requirements")

    def __str__(self) -> str:
        return self.description[:50]


class Solution(TenantModel):
    """A solution (解决方案) proposed on an opportunity, optionally for one requirement."""

    opportunity = models.ForeignKey(
        Opportunity,
        verbose_name=_("opportunity"),
        on_delete=models.CASCADE,
        related_name="solutions",
    )
    requirement = models.ForeignKey(
        Requirement,
        verbose_name=_("requirement"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="solutions",
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = _user_fk(_("created by"), on_delete=models.SET_NULL)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("solution")
        verbose_name_plural = _("solutions")

    def __str__(self) -> str:
        return self.title


class Quote(Freezable, QuoteProcessMixin, TenantModel):
    """One version of a quote (报价). ``number`` is the quote version (v1, v2...);
    ``version`` is the row's optimistic-locking counter like on every record."""

    frozen_states = quote_process.FROZEN_STATES
    # Kept by ``revise`` (a transition save) and by deleting a newer draft version.
    derived_fields = frozenset({"is_latest"})

    opportunity = models.ForeignKey(
        Opportunity, verbose_name=_("opportunity"), on_delete=models.PROTECT, related_name="quotes"
    )
    number = models.PositiveIntegerField(_("quote version"), default=1)
    is_latest = models.BooleanField(_("latest version"), default=True)
    revised_from = models.OneToOneField(
        "self",
        verbose_name=_("revised from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="next_version",
    )
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    subtotal = money_field(_("subtotal"))
    total = money_field(_("total"))
    created_by = _user_fk(_("created by"), on_delete=models.SET_NULL)
    submitted_by = _user_fk(_("submitted by"), on_delete=models.SET_NULL)
    approved_by = _user_fk(_("approved by"), on_delete=models.SET_NULL)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        constraints = [
            models.UniqueConstraint(
                fields=["opportunity", "number"], name="quote_unique_version_per_opportunity"
            )
        ]
        indexes = [models.Index(fields=["tenant", "status", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.opportunity.name} v{self.number}"

    def latest_number(self) -> int:
        return (
            Quote.objects.filter(opportunity_id=self.opportunity_id)
            .order_by("-number")
            .values_list("number", flat=True)
            .first()
            or self.number
        )


class LineBase(models.Model):
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+"
    )
    description = models.CharField(_("description"), max_length=300, blank=True)
    quantity = models.DecimalField(
        _("quantity"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    unit_price = money_field(_("unit price"))
    discount_percent = models.DecimalField(
        _("discount (%)"),
        max_digits=5,
        decimal_places=2,
        default=ZERO,
        validators=[MinValueValidator(ZERO), MaxValueValidator(Decimal("100"))],
    )
    amount = money_field(_("amount"))
    position = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True
        ordering = ["position", "id"]


class QuoteLine(Freezable, LineBase, TenantModel):
    frozen_parent = "quote"

    quote = models.ForeignKey(
        Quote, verbose_name=_("quote"), on_delete=models.CASCADE, related_name="lines"
    )

    class Meta(LineBase.Meta):
        verbose_name = _("quote line")
        verbose_name_plural = _("quote lines")

    def __str__(self) -> str:
        return f"{self.quote_id}: {self.description}"


class Contract(Freezable, ContractProcessMixin, TenantModel):
    """A contract (合同) with lines and a payment plan; numbered per tenant."""

    frozen_states = contract_process.FROZEN_STATES
    derived_fields = frozenset({"collected_amount"})

    number = models.CharField(_("number"), max_length=30, editable=False)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="contracts",
    )
    opportunity = models.ForeignKey(
        Opportunity,
        verbose_name=_("opportunity"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contracts",
    )
    quote = models.ForeignKey(
        Quote,
        verbose_name=_("quote"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contracts",
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    owner = _user_fk(_("owner"))
    amount = money_field(_("amount"))
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    collected_amount = money_field(_("collected amount"), editable=False)
    created_by = _user_fk(_("created by"), on_delete=models.SET_NULL)
    submitted_by = _user_fk(_("submitted by"), on_delete=models.SET_NULL)
    approved_by = _user_fk(_("approved by"), on_delete=models.SET_NULL)
    search_key = models.TextField(editable=False, default="")
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "number"], name="contract_unique_number")
        ]
        indexes = [
            models.Index(fields=["tenant", "status", "-created_at"]),
            models.Index(fields=["tenant", "owner", "-created_at"]),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def outstanding_amount(self) -> Decimal:
        return self.amount - self.collected_amount


class ContractLine(Freezable, LineBase, TenantModel):
    frozen_parent = "contract"

    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.CASCADE, related_name="lines"
    )

    class Meta(LineBase.Meta):
        verbose_name = _("contract line")
        verbose_name_plural = _("contract lines")

    def __str__(self) -> str:
        return f"{self.contract_id}: {self.description}"


class Installment(Freezable, TenantModel):
    """One installment of a contract's payment plan (回款计划).

    ``collected_amount`` and ``status`` are derived from confirmed payments net
    of reversals; they are the only fields written once the contract is signed.
    """

    frozen_parent = "contract"
    derived_fields = frozenset({"collected_amount", "status"})

    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.CASCADE, related_name="installments"
    )
    sequence = models.PositiveIntegerField(_("installment"), default=1)
    due_date = models.DateField(_("due date"))
    amount = money_field(_("amount"))
    collected_amount = money_field(_("collected amount"), editable=False)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=InstallmentStatus.choices,
        default=InstallmentStatus.OPEN,
        editable=False,
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("installment")
        verbose_name_plural = _("installments")
        ordering = ["sequence", "id"]
        indexes = [models.Index(fields=["tenant", "status", "due_date"])]

    def __str__(self) -> str:
        return f"{self.contract_id} #{self.sequence}"

    @property
    def outstanding(self) -> Decimal:
        return self.amount - self.collected_amount


class Payment(Freezable, PaymentProcessMixin, TenantModel):
    """A payment (回款) against a contract installment; confirmed ones are frozen."""

    class Method(models.TextChoices):
        BANK = "bank_transfer", _("bank transfer")
        CASH = "cash", _("cash")
        CHEQUE = "cheque", _("cheque")
        ALIPAY = "alipay", _("Alipay")
        WECHAT = "wechat", _("WeChat Pay")
        OTHER = "other", _("other")

    frozen_states = payment_process.FROZEN_STATES

    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.PROTECT, related_name="payments"
    )
    installment = models.ForeignKey(
        Installment,
        verbose_name=_("installment"),
        on_delete=models.PROTECT,
        related_name="payments",
    )
    amount = money_field(_("amount"))
    paid_at = models.DateField(_("paid on"))
    method = models.CharField(
        _("method"), max_length=20, choices=Method.choices, default=Method.BANK
    )
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    reversal_of = models.OneToOneField(
        "self",
        verbose_name=_("reversal of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversal",
    )
    created_by = _user_fk(_("created by"), on_delete=models.SET_NULL)
    confirmed_by = _user_fk(_("confirmed by"), on_delete=models.SET_NULL)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        indexes = [
            models.Index(fields=["tenant", "status", "-paid_at"]),
            models.Index(fields=["installment", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.contract_id} {self.amount}"


class ApprovalBand(TenantModel):
    """Contract approval: amounts up to ``max_amount`` (null: any amount above the
    other bands) need ``permission``. Every company starts with the defaults (sign-up)."""

    class Permission(models.TextChoices):
        APPROVE = "sales.contract.approve", _("approve contracts")
        APPROVE_LARGE = "sales.contract.approve_large", _("approve large contracts")

    max_amount = models.DecimalField(
        _("up to amount"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    permission = models.CharField(
        _("permission needed"), max_length=100, choices=Permission.choices
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("approval band")
        verbose_name_plural = _("approval bands")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "max_amount"], name="approval_band_unique_limit"
            ),
            models.UniqueConstraint(
                fields=["tenant"],
                condition=models.Q(max_amount__isnull=True),
                name="approval_band_one_open_band",
            ),
        ]

    def __str__(self) -> str:
        return f"≤ {self.max_amount}: {self.permission}" if self.max_amount else self.permission


class NumberSequence(TenantModel):
    """A per-tenant counter (contract numbers); incremented under a row lock."""

    key = models.CharField(max_length=30)
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "key"], name="sequence_unique_key")
        ]
