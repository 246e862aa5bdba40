"""Import/export resources of the marketing module (see ``crm.imports.resources``).

* **stock items** (物品): upsert by 物品编码; the category by its dictionary
  label (or code); a new item gets its (empty) balance row like
  ``stock_item_create`` (``services.stock.balances_open``). The quantity on hand
  is exported but never imported: stock moves only through documents.
* **stock receipt lines** (入库明细): one row per line, by 入库单号 + 序号, the item
  by its code, so a supplier's delivery note fills a draft receipt. Only a
  draft's lines change: a confirmed receipt is frozen (its lines are refused as
  row errors, like the API's 409 ``frozen``), and is corrected by another
  document, never by an import.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from crm.imports import cleaners
from crm.imports.resources import (
    Column,
    CrmResource,
    ImportContext,
    dictionary,
    label_of,
    plain,
    value_of,
)
from crm.marketing.models import StockItem, StockReceipt, StockReceiptLine
from workflows.stock import StockDocumentStatus

QUANTITY_LIMIT = Decimal(10) ** 10  # DecimalField(max_digits=12, decimal_places=2)


def _text(ctx, raw):
    return cleaners.text(raw)


def _quantity(raw) -> Decimal:
    """A quantity that is not negative and fits the quantity fields (200, 1,000, ２.５)."""
    value = cleaners.decimal(raw)
    if value < 0:
        raise ValidationError(
            gettext("“%(value)s”: the quantity cannot be negative.") % {"value": raw},
            code="quantity_negative",
        )
    if value >= QUANTITY_LIMIT:
        raise ValidationError(
            gettext("“%(value)s” is too large (at most 10 digits before the decimal point).")
            % {"value": raw},
            code="quantity_too_large",
        )
    return value


def _positive_quantity(raw) -> Decimal:
    value = _quantity(raw)
    if value == 0:
        raise ValidationError(
            gettext("The quantity must be greater than zero."), code="quantity_zero"
        )
    return value


def _yes_no(value: bool) -> str:
    return str(gettext("yes") if value else gettext("no"))


CODE_ALIASES = ("物品编码", "物品编号", "物料编码", "物料编号", "编码", "编号", "货号", "item code")


class StockItemResource(CrmResource):
    """物品 (gifts, printed matter): upsert by 物品编码."""

    clean_off_thread = True  # the category comes from the preloaded dictionary
    name = "stock-items"
    permission_module = "marketing.stock_item"
    natural_keys = [("code",)]
    search_names = ("code", "name")  # as stock_item_create's search key
    columns = [
        Column("code", _("code"), CODE_ALIASES, attr="code", clean=_text, required=True),
        Column(
            "name",
            _("name"),
            ("物品名称", "物料名称", "品名", "名称", "礼品名称", "item", "item name"),
            attr="name",
            clean=_text,
            required=True,
        ),
        Column(
            "category",
            _("category"),
            ("类别", "分类", "物品类别", "物品分类", "类型", "category"),
            attr="category_id",
            clean=dictionary("stock_category"),
            export=label_of("category"),
        ),
        Column(
            "unit", _("unit"), ("单位", "计量单位", "unit of measure"), attr="unit", clean=_text
        ),
        Column(
            "unit_cost",
            _("unit cost"),
            ("单位成本", "成本", "单价", "进价", "成本价", "采购价", "cost", "unit cost"),
            attr="unit_cost",
            clean=plain(cleaners.amount),
        ),
        Column(
            "low_stock_threshold",
            _("low-stock threshold"),
            ("低库存阈值", "库存下限", "最低库存", "安全库存", "预警数量", "预警值", "threshold"),
            attr="low_stock_threshold",
            clean=plain(_quantity),
        ),
        Column(
            "active",
            _("active"),
            ("是否启用", "启用", "是否有效", "在用", "enabled"),
            attr="active",
            clean=plain(cleaners.boolean),
            export=lambda item: _yes_no(item.active),
        ),
        # Read from the balance; stock moves only through documents.
        Column(
            "quantity_on_hand",
            _("quantity on hand"),
            ("库存数量", "库存", "现存量", "结存数量", "on hand"),
            export=value_of("quantity_on_hand"),
            importable=False,
        ),
    ]

    class Meta:
        model = StockItem
        fields = ("code", "name", "unit", "unit_cost", "low_stock_threshold", "active")

    @classmethod
    def after_write(cls, ctx: ImportContext, created, updated) -> None:
        """New items get their balance row (zero), as ``stock_item_create`` does."""
        from crm.marketing.services.stock import balances_open

        if created:
            balances_open(tenant=ctx.tenant, item_ids=[pk for pk, _values in created])


class StockReceiptLineResource(CrmResource):
    """入库明细: one row per line, by 入库单号 + 序号; only a draft receipt's lines change."""

    name = "stock-receipt-lines"
    permission_module = "marketing.stock_receipt"
    natural_keys = [("receipt_id", "position")]
    columns = [
        Column(
            "receipt_number",
            _("stock receipt"),
            ("入库单号", "入库单", "单号", "receipt no", "receipt"),
            clean=_text,
            required=True,
            export=lambda line: line.receipt.number,
        ),
        Column(
            "position",
            _("line"),
            ("序号", "行号", "行", "line no", "position"),
            attr="position",
            clean=plain(cleaners.positive_int),
            required=True,
        ),
        Column(
            "item_code",
            _("code"),
            CODE_ALIASES,
            clean=_text,
            required=True,
            export=lambda line: line.item.code,
        ),
        Column(
            "item_name",
            _("name"),
            ("物品名称", "品名", "名称"),
            export=lambda line: line.item.name,
            importable=False,
        ),
        Column(
            "quantity",
            _("quantity"),
            ("数量", "入库数量", "实收数量", "qty"),
            attr="quantity",
            clean=plain(_positive_quantity),
            required=True,
        ),
        Column(
            "unit_cost",
            _("unit cost"),
            ("单位成本", "成本", "单价", "进价", "cost"),
            attr="unit_cost",
            clean=plain(cleaners.amount),
        ),
    ]

    class Meta:
        model = StockReceiptLine
        fields = ("position", "quantity", "unit_cost")

    @classmethod
    def extra_attrs(cls):
        return ("receipt_id", "item_id")

    @classmethod
    def prepare_chunk(cls, ctx: ImportContext, rows) -> None:
        """Find the receipts by number and the items by code (two queries a chunk); a new
        line needs a draft receipt; a line without a cost takes the item's."""
        live = [r for r in rows if not r.errors]
        numbers = {r.virtual["receipt_number"] for r in live}
        codes = {r.virtual["item_code"] for r in live}
        receipts = {
            number: (pk, status)
            for number, pk, status in StockReceipt.objects.filter(
                tenant=ctx.tenant, number__in=numbers
            ).values_list("number", "pk", "status")
        }
        items = {
            code: (pk, cost)
            for code, pk, cost in StockItem.objects.filter(
                tenant=ctx.tenant, code__in=codes
            ).values_list("code", "pk", "unit_cost")
        }
        closed = {pk for pk, status in receipts.values() if status != StockDocumentStatus.DRAFT}
        existing = set()
        if closed:
            existing = set(
                StockReceiptLine.objects.filter(receipt_id__in=closed).values_list(
                    "receipt_id", "position"
                )
            )
        for row in live:
            number, code = row.virtual["receipt_number"], row.virtual["item_code"]
            if number not in receipts:
                row.error(
                    "receipt_number",
                    number,
                    gettext("No stock receipt has the number “%(number)s”.") % {"number": number},
                )
                continue
            if code not in items:
                row.error(
                    "item_code",
                    code,
                    gettext("No stock item has the code “%(code)s”.") % {"code": code},
                )
                continue
            pk, status = receipts[number]
            if pk in closed and (pk, row.values["position"]) not in existing:
                # An existing line goes on to the frozen rule (unchanged is fine).
                row.error(
                    "receipt_number",
                    number,
                    gettext(
                        "Stock receipt %(number)s is “%(status)s”: its lines change only "
                        "while it is a draft."
                    )
                    % {"number": number, "status": StockDocumentStatus(status).label},
                )
                continue
            item_pk, cost = items[code]
            row.values["receipt_id"] = pk
            row.values["item_id"] = item_pk
            row.values.setdefault("unit_cost", cost)


#: Registered in ``MarketingConfig.ready``.
RESOURCES = (StockItemResource, StockReceiptLineResource)
