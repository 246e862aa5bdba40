"""Marketing: stock of gifts and printed matter, the documents that move it,
marketing events and advertising placements.

Stock is a ledger: every change of quantity is one immutable ``StockMovement``
(item, signed quantity, unit cost, the document that made it). The quantity on
hand is kept in ``StockBalance`` (one row per item), written in the same
transaction as the movements under a row lock, so it always equals the sum of
the ledger (``crm.marketing.services.stock``). Documents (receipts,
adjustments, requisitions, returns) are frozen once confirmed
(``crm.sales.freeze``) and corrected only by another document.

Processes: ``workflows/requisition.py``, ``workflows/stock.py`` (receipts,
adjustments, returns) and ``workflows/marketing_event.py``.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from crm.core.errors import Frozen
from crm.core.models import DictionaryItem, TenantModel
from crm.sales.freeze import Freezable
from workflows import requisition as requisition_process
from workflows import stock as stock_process
from workflows.campaign import CampaignProcessMixin
from workflows.marketing_event import MarketingEventProcessMixin
from workflows.requisition import RequisitionProcessMixin
from workflows.stock import (
    StockAdjustmentProcessMixin,
    StockReceiptProcessMixin,
    StockReturnProcessMixin,
)

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
#: The largest amount a money field (14 digits, 2 places) holds.
MONEY_MAX = Decimal("999999999999.99")
#: The largest quantity a quantity field (12 digits, 2 places) holds.
QUANTITY_MAX = Decimal("9999999999.99")


def _cents(value) -> Decimal:
    """A computed quantity or amount as a two-place decimal, on every backend."""
    return ZERO if value is None else Decimal(value).quantize(CENT)


def money_field(verbose, **kwargs):
    kwargs.setdefault("default", ZERO)
    return models.DecimalField(verbose, max_digits=14, decimal_places=2, **kwargs)


def quantity_field(verbose, **kwargs):
    return models.DecimalField(verbose, max_digits=12, decimal_places=2, **kwargs)


def _user_fk(verbose, **kwargs):
    kwargs.setdefault("null", True)
    kwargs.setdefault("blank", True)
    kwargs.setdefault("on_delete", models.SET_NULL)
    return models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=verbose, related_name="+", **kwargs
    )


def _dictionary_fk(kind: str, verbose):
    return models.ForeignKey(
        DictionaryItem,
        verbose_name=verbose,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": kind},
    )


class Timestamps(models.Model):
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


# --- stock -----------------------------------------------------------------------


class StockItem(Timestamps, TenantModel):
    """A gift or a piece of printed matter kept in stock (礼品, 印刷品)."""

    code = models.CharField(_("code"), max_length=50)
    name = models.CharField(_("name"), max_length=200)
    category = _dictionary_fk("stock_category", _("category"))
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    unit_cost = money_field(_("unit cost"))
    low_stock_threshold = quantity_field(_("low-stock threshold"), default=ZERO)
    active = models.BooleanField(_("active"), default=True)
    search_key = models.TextField(editable=False, default="")
    created_by = _user_fk(_("created by"))

    class Meta:
        verbose_name = _("stock item")
        verbose_name_plural = _("stock items")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "code"], name="stock_item_unique_code")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def quantity_on_hand(self) -> Decimal:
        """From the list's annotation (``selectors.stock_items_for_list``), else the balance.

        The annotation is quantized to cents here: PostgreSQL returns it as the
        column's ``numeric(12, 2)``, but SQLite returns a computed decimal as the
        bare number it stored (``40`` for 40.00, or a float's digits), which the
        export would write as such."""
        if "on_hand" in self.__dict__:
            return _cents(self.__dict__["on_hand"])
        balance = StockBalance._base_manager.filter(item_id=self.pk).first()
        return balance.quantity if balance is not None else ZERO

    @property
    def stock_value(self) -> Decimal:
        """Quantity on hand at the item's unit cost (the list annotates it)."""
        if "stock_value_" in self.__dict__:
            return _cents(self.__dict__["stock_value_"])
        return (self.quantity_on_hand * self.unit_cost).quantize(CENT)


class StockBalance(TenantModel):
    """The quantity on hand of one item: locked and written with every movement."""

    item = models.OneToOneField(
        StockItem, verbose_name=_("stock item"), on_delete=models.CASCADE, related_name="balance"
    )
    quantity = quantity_field(_("quantity on hand"), default=ZERO)

    class Meta:
        verbose_name = _("stock balance")
        verbose_name_plural = _("stock balances")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gte=0), name="stock_balance_not_negative"
            )
        ]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.quantity}"


class DocumentKind(models.TextChoices):
    RECEIPT = "receipt", _("stock receipt")
    ADJUSTMENT = "adjustment", _("stock adjustment")
    REQUISITION = "requisition", _("requisition")
    RETURN = "return", _("stock return")


class StockMovement(TenantModel):
    """One change of an item's quantity (+ in, - out); never changed or deleted."""

    item = models.ForeignKey(
        StockItem, verbose_name=_("stock item"), on_delete=models.PROTECT, related_name="movements"
    )
    quantity = quantity_field(_("quantity"))
    unit_cost = money_field(_("unit cost"))
    document_kind = models.CharField(_("document"), max_length=20, choices=DocumentKind.choices)
    document_id = models.PositiveBigIntegerField(_("document id"))
    document_number = models.CharField(_("document number"), max_length=30, blank=True)
    actor = _user_fk(_("by"))
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["tenant", "item", "-at"]),
            models.Index(fields=["tenant", "document_kind", "document_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} {self.quantity:+}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise Frozen()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise Frozen()


class NumberedDocument(Timestamps, TenantModel):
    number = models.CharField(_("number"), max_length=30, editable=False)
    note = models.TextField(_("note"), blank=True)
    created_by = _user_fk(_("created by"))
    confirmed_by = _user_fk(_("confirmed by"))

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.number


class DocumentLine(TenantModel):
    item = models.ForeignKey(
        StockItem, verbose_name=_("stock item"), on_delete=models.PROTECT, related_name="+"
    )
    quantity = quantity_field(_("quantity"))
    unit_cost = money_field(_("unit cost"))
    position = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True
        ordering = ["position", "id"]


def _unique_number(name: str):
    return models.UniqueConstraint(fields=["tenant", "number"], name=name)


class StockReceipt(Freezable, StockReceiptProcessMixin, NumberedDocument):
    """A receipt of goods into stock (入库)."""

    frozen_states = stock_process.FROZEN_STATES
    supplier = models.CharField(_("supplier"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("stock receipt")
        verbose_name_plural = _("stock receipts")
        constraints = [_unique_number("stock_receipt_unique_number")]


class StockReceiptLine(Freezable, DocumentLine):
    frozen_parent = "receipt"
    receipt = models.ForeignKey(
        StockReceipt,
        verbose_name=_("stock receipt"),
        on_delete=models.CASCADE,
        related_name="lines",
    )

    class Meta(DocumentLine.Meta):
        verbose_name = _("stock receipt line")
        verbose_name_plural = _("stock receipt lines")


class StockAdjustment(Freezable, StockAdjustmentProcessMixin, NumberedDocument):
    """A correction after a stock count: each line adds (+) or removes (-) a quantity."""

    frozen_states = stock_process.FROZEN_STATES
    reason = models.CharField(_("reason"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("stock adjustment")
        verbose_name_plural = _("stock adjustments")
        constraints = [_unique_number("stock_adjustment_unique_number")]


class StockAdjustmentLine(Freezable, DocumentLine):
    frozen_parent = "adjustment"
    adjustment = models.ForeignKey(
        StockAdjustment,
        verbose_name=_("stock adjustment"),
        on_delete=models.CASCADE,
        related_name="lines",
    )

    class Meta(DocumentLine.Meta):
        verbose_name = _("stock adjustment line")
        verbose_name_plural = _("stock adjustment lines")


class Requisition(Freezable, RequisitionProcessMixin, NumberedDocument):
    """A request to take goods out of stock (领料) for a purpose, and for a marketing
    event or a campaign (at most one of them)."""

    frozen_states = requisition_process.FROZEN_STATES
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requester"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    purpose = models.CharField(_("purpose"), max_length=300)
    marketing_event = models.ForeignKey(
        "marketing.MarketingEvent",
        verbose_name=_("marketing event"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="requisitions",
    )
    # Or the campaign (战役) the goods are for: a requisition names at most one of the two.
    campaign = models.ForeignKey(
        "marketing.Campaign",
        verbose_name=_("campaign"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="requisitions",
    )
    approved_by = _user_fk(_("approved by"))
    issued_by = _user_fk(_("issued by"))

    class Meta:
        verbose_name = _("requisition")
        verbose_name_plural = _("requisitions")
        constraints = [
            _unique_number("requisition_unique_number"),
            models.CheckConstraint(
                condition=models.Q(marketing_event__isnull=True) | models.Q(campaign__isnull=True),
                name="requisition_event_or_campaign",
            ),
        ]
        indexes = [models.Index(fields=["tenant", "status", "-created_at"])]


class RequisitionLine(Freezable, DocumentLine):
    frozen_parent = "requisition"
    requisition = models.ForeignKey(
        Requisition, verbose_name=_("requisition"), on_delete=models.CASCADE, related_name="lines"
    )

    class Meta(DocumentLine.Meta):
        verbose_name = _("requisition line")
        verbose_name_plural = _("requisition lines")


class StockReturn(Freezable, StockReturnProcessMixin, NumberedDocument):
    """Goods brought back against an issued requisition (退料): at most what was issued."""

    frozen_states = stock_process.FROZEN_STATES
    requisition = models.ForeignKey(
        Requisition,
        verbose_name=_("requisition"),
        on_delete=models.PROTECT,
        related_name="stock_returns",
    )

    class Meta:
        verbose_name = _("stock return")
        verbose_name_plural = _("stock returns")
        constraints = [_unique_number("stock_return_unique_number")]


class StockReturnLine(Freezable, DocumentLine):
    frozen_parent = "stock_return"
    stock_return = models.ForeignKey(
        StockReturn, verbose_name=_("stock return"), on_delete=models.CASCADE, related_name="lines"
    )

    class Meta(DocumentLine.Meta):
        verbose_name = _("stock return line")
        verbose_name_plural = _("stock return lines")


# --- events and advertising -----------------------------------------------------------


class MarketingEvent(MarketingEventProcessMixin, Timestamps, TenantModel):
    """A marketing event (市场活动): exhibition, seminar, promotion..."""

    class Type(models.TextChoices):
        EXHIBITION = "exhibition", _("exhibition")
        SEMINAR = "seminar", _("seminar")
        PROMOTION = "promotion", _("promotion")
        CONFERENCE = "conference", _("conference")
        OTHER = "other", _("other")

    name = models.CharField(_("name"), max_length=200)
    type = models.CharField(_("type"), max_length=20, choices=Type.choices, default=Type.OTHER)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    budget = money_field(_("budget"))
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The campaign (战役) the event is part of.
    campaign = models.ForeignKey(
        "marketing.Campaign",
        verbose_name=_("campaign"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
    )
    search_key = models.TextField(editable=False, default="")
    created_by = _user_fk(_("created by"))

    class Meta:
        verbose_name = _("marketing event")
        verbose_name_plural = _("marketing events")
        indexes = [models.Index(fields=["tenant", "status", "-starts_on"])]

    def __str__(self) -> str:
        return self.name


class EventExpense(TenantModel):
    event = models.ForeignKey(
        MarketingEvent,
        verbose_name=_("marketing event"),
        on_delete=models.CASCADE,
        related_name="expenses",
    )
    description = models.CharField(_("description"), max_length=300)
    amount = money_field(_("amount"), validators=[MinValueValidator(ZERO)])
    spent_on = models.DateField(_("spent on"), null=True, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("event expense")
        verbose_name_plural = _("event expenses")
        ordering = ["position", "id"]


class EventParticipant(TenantModel):
    event = models.ForeignKey(
        MarketingEvent,
        verbose_name=_("marketing event"),
        on_delete=models.CASCADE,
        related_name="participants",
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    contact = models.ForeignKey(
        "customers.Contact",
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    attended = models.BooleanField(_("attended"), default=False)
    note = models.CharField(_("note"), max_length=300, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("event participant")
        verbose_name_plural = _("event participants")
        ordering = ["position", "id"]


class AdPlacement(Timestamps, TenantModel):
    """An advertising placement (广告发布) on a channel for a period, with its cost."""

    name = models.CharField(_("name"), max_length=200)
    channel = _dictionary_fk("ad_channel", _("channel"))
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    cost = money_field(_("cost"), validators=[MinValueValidator(ZERO)])
    note = models.TextField(_("note"), blank=True)
    search_key = models.TextField(editable=False, default="")
    created_by = _user_fk(_("created by"))

    class Meta:
        verbose_name = _("ad placement")
        verbose_name_plural = _("ad placements")

    def __str__(self) -> str:
        return self.name


# --- campaigns ---------------------------------------------------------------------------


class Campaign(CampaignProcessMixin, Timestamps, TenantModel):
    """A campaign (战役): a budget and an actual cost over dates, a target list of
    customers (from a customer group or a saved filter of the customer list), and
    the leads and opportunities attributed to it; its figures (leads, conversion,
    won amount, cost per lead, ROI) are computed, never stored
    (``crm.marketing.campaigns.campaign_figures``). Process: ``workflows/campaign.py``."""

    name = models.CharField(_("name"), max_length=200)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    budget = money_field(_("budget"), validators=[MinValueValidator(ZERO)])
    cost = money_field(_("actual cost"), validators=[MinValueValidator(ZERO)])
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    target_group = models.ForeignKey(
        "customers.CustomerGroup",
        verbose_name=_("target group"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # A saved filter of the customer list (its query string as an object).
    target_filter = models.JSONField(_("target filter"), default=dict, blank=True)
    search_key = models.TextField(editable=False, default="")
    created_by = _user_fk(_("created by"))

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        indexes = [models.Index(fields=["tenant", "status", "-starts_on"])]

    def __str__(self) -> str:
        return self.name


class CampaignMember(TenantModel):
    """A customer on a campaign's target list, with its response."""

    class Response(models.TextChoices):
        TARGETED = "targeted", _("targeted")
        CONTACTED = "contacted", _("contacted")
        RESPONDED = "responded", _("responded")
        CONVERTED = "converted", _("converted")
        DECLINED = "declined", _("declined")

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="members"
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    response = models.CharField(
        _("response"), max_length=20, choices=Response.choices, default=Response.TARGETED
    )
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("campaign member")
        verbose_name_plural = _("campaign members")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "customer"], name="campaign_member_unique")
        ]
