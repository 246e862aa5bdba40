"""Resources for products, opportunities, contracts and payment plans
(see ``crm.imports.resources``).

An import may do to a sales record what the API's services may do to it, and
no more; states move only through the workflow engine, where the guards are:

* **opportunities** are created at the initial stage (``opportunity_create``
  does the same). A 阶段 column is accepted when it says the initial stage for
  a new opportunity, or the stage an existing one is already at (an exported
  list re-imports); any other stage is a row error, because reaching it needs
  what its guards check (a requirement, a sent quote, an approved quote or
  contract, a loss reason). Won and lost opportunities are closed: an import
  never changes them (``opportunity_update`` refuses them too).
* **contracts** are created as drafts; only a draft is ever changed (like
  ``contract_update``): a contract waiting for approval, approved, signed,
  completed or terminated is frozen for imports, so an import can neither
  bypass the approval of an amount nor touch a confirmed document. The 状态
  column is checked the same way as the opportunities' stage.
* **payment plans** are a second resource, ``contract-installments``: one row
  per installment, keyed by contract number + installment number, so every
  installment is counted, validated, audited and reverted on its own. A plan
  changes only while its contract is a draft.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from crm.customers.resources import (
    _text,
    customer_columns,
    customer_info,
    require_customer,
    resolve_customers,
)
from crm.imports import cleaners
from crm.imports.pinyin import search_key
from crm.imports.resources import (
    Column,
    CrmResource,
    ImportContext,
    choice,
    local_date,
    owner_column,
    plain,
    source_column,
    value_of,
)
from crm.sales.models import Contract, Installment, Opportunity, Product
from crm.sales.services.sequences import contract_numbers_taken
from workflows import reminders
from workflows.contract import ContractStatus
from workflows.opportunity import CLOSE_DATE_RULE, IDLE_RULE, OpportunityStatus


def _yes_no(value: bool) -> str:
    return str(gettext("yes") if value else gettext("no"))


def _refuse_pool_customer(row) -> None:
    """Like the services' ``check_claimed``: a sales record goes on a claimed customer,
    for every importer (an admin's scope finds the pool's customers too). The error
    is on the customer column the row used."""
    column = "customer_code" if row.virtual.get("customer_code") else "customer_name"
    row.error(
        column,
        row.virtual.get(column) or "",
        gettext("This record is in the public pool: claim it first."),
    )


def _check_state(row, column: str, existing_state: str | None, initial: str, labels) -> None:
    """A state column: the initial state for a new record, the current one for an existing one."""
    wanted = row.virtual.get(column)
    if not wanted:
        return
    if existing_state is None:
        if wanted != initial:
            row.error(
                column,
                str(labels(wanted).label),
                gettext(
                    "An import creates new records as “%(initial)s” only; move them on in the "
                    "app, where each step's conditions are checked."
                )
                % {"initial": labels(initial).label},
            )
    elif wanted != existing_state:
        row.error(
            column,
            str(labels(wanted).label),
            gettext(
                "This record is “%(current)s”: an import does not change states; "
                "use the steps in the app."
            )
            % {"current": labels(existing_state).label},
        )


# --- products ---------------------------------------------------------------------


class ProductResource(CrmResource):
    """产品: upsert by 产品编号; a row without a code updates the product of that exact name."""

    clean_off_thread = True
    name = "products"
    permission_module = "sales.product"
    natural_keys = [("code",)]
    search_names = ("name", "code")
    columns = [
        Column(
            "code",
            _("product code"),
            ("产品编号", "产品编码", "产品代码", "物料编码", "货号", "编号", "编码", "sku", "code"),
            attr="code",
            clean=_text,
        ),
        Column(
            "name",
            _("product name"),
            ("产品名称", "品名", "商品名称", "产品", "名称", "product", "product name"),
            attr="name",
            clean=_text,
            required=True,
        ),
        Column(
            "unit",
            _("unit"),
            ("单位", "计量单位", "unit of measure"),
            attr="unit",
            clean=_text,
        ),
        Column(
            "price",
            _("list price"),
            ("单价", "价格", "标准价", "标准单价", "售价", "销售价", "price", "unit price"),
            attr="price",
            clean=plain(cleaners.amount),
        ),
        Column(
            "active",
            _("active"),
            ("是否启用", "启用", "是否有效", "在售", "enabled"),
            attr="active",
            clean=plain(cleaners.boolean),
            export=lambda p: _yes_no(p.active),
        ),
    ]

    class Meta:
        model = Product
        fields = ("code", "name", "unit", "price", "active")

    @classmethod
    def prepare_chunk(cls, ctx: ImportContext, rows):
        """Rows without a code: the code of the one product with that exact name."""
        names = {r.values["name"] for r in rows if not r.values.get("code")}
        if not names:
            return
        by_name: dict[str, list[str]] = defaultdict(list)
        found = Product.objects.filter(tenant=ctx.tenant, name__in=names)
        for name, code in found.values_list("name", "code"):
            by_name[name].append(code)
        for row in rows:
            if row.errors or row.values.get("code"):
                continue
            codes = by_name.get(row.values["name"], [])
            if len(codes) == 1:
                row.values["code"] = codes[0]
            elif codes:
                row.error(
                    "name",
                    row.values["name"],
                    gettext("Several products are named “%(name)s”: give the product code.")
                    % {"name": row.values["name"]},
                )
            else:
                row.error("code", "", gettext("A new product needs a product code."))


# --- opportunities ----------------------------------------------------------------


class OpportunityResource(CrmResource):
    """销售机会: the customer by 客户编号 or 客户名称; upsert by customer + name."""

    name = "opportunities"
    permission_module = "sales.opportunity"
    owner_field = "owner"
    natural_keys = [("customer_id", "name")]
    # Won and lost opportunities are closed (opportunity_update refuses them too).
    frozen_q = Q(status__in=[OpportunityStatus.WON, OpportunityStatus.LOST])
    search_names = ("name", "customer_id")
    columns = [
        *customer_columns(),
        Column(
            "name",
            _("opportunity name"),
            ("机会名称", "商机名称", "销售机会", "机会", "商机", "项目名称", "名称", "opportunity"),
            attr="name",
            clean=_text,
            required=True,
        ),
        Column(
            "amount",
            _("amount"),
            ("金额", "预计金额", "机会金额", "预计成交金额", "预算", "amount"),
            attr="amount",
            clean=plain(cleaners.amount),
        ),
        Column(
            "status",
            _("stage"),
            ("阶段", "销售阶段", "机会阶段", "状态", "stage", "status"),
            clean=choice(OpportunityStatus),
            export=lambda o: o.get_status_display(),
        ),
        Column(
            "expected_close_date",
            _("expected close date"),
            (
                "预计成交日期",
                "预计签单日期",
                "预计结单日期",
                "预计成交时间",
                "close date",
                "expected close",
            ),
            attr="expected_close_date",
            clean=plain(cleaners.date),
        ),
        source_column(_("source")),
        owner_column(),
        Column(
            "created_at",
            _("created date"),
            ("创建日期", "创建时间", "created"),
            export=local_date("created_at"),
            importable=False,
        ),
    ]

    class Meta:
        model = Opportunity
        fields = ("name", "amount", "expected_close_date")

    @classmethod
    def extra_attrs(cls):
        return ("customer_id",)

    @classmethod
    def finish(cls, ctx, values, virtual, errors):
        require_customer(virtual, errors)

    @classmethod
    def prepare_chunk(cls, ctx: ImportContext, rows):
        owners = resolve_customers(ctx, rows)

        # A customer in the public pool (no owner) takes no new opportunity; one
        # already on it (same customer and name) may still be re-imported, as
        # opportunity_update keeps a customer since pooled.
        def in_pool(row) -> bool:
            return owners.get(row.values["customer_id"], 0) is None

        checked = [r for r in rows if not r.errors and (r.virtual.get("status") or in_pool(r))]
        if not checked:
            return
        current = {
            (customer_id, name): status
            for customer_id, name, status in ctx.editable(
                Opportunity.objects.filter(
                    tenant=ctx.tenant,
                    customer_id__in={r.values["customer_id"] for r in checked},
                    name__in={r.values["name"] for r in checked},
                ),
                cls.owner_field,
            ).values_list("customer_id", "name", "status")
        }
        for row in checked:
            existing = current.get((row.values["customer_id"], row.values["name"]))
            if existing is None and in_pool(row):
                _refuse_pool_customer(row)
                continue
            _check_state(row, "status", existing, OpportunityStatus.INITIAL, OpportunityStatus)

    @classmethod
    def compute_search_key(cls, values: dict) -> str:
        """Like ``opportunity_create``: the name and the customer's name."""
        customer_id = values.get("customer_id")
        customer = customer_info(customer_id)[0] if customer_id else ""
        return search_key(values.get("name") or "", customer)

    @classmethod
    def on_create(cls, ctx, values):
        # Like opportunity_create: the creator owns it, else the customer's owner.
        if not values.get("owner_id"):
            values["owner_id"] = ctx.default_owner() or customer_info(values["customer_id"])[1]
        values["stage_changed_at"] = ctx.now

    @classmethod
    def after_write(cls, ctx, created, updated):
        """New opportunities get their stage's reminders; moved owners and dates re-plan them."""
        again: dict[int, frozenset[str]] = {}
        for pk, changes in updated:
            if "owner_id" in changes:
                again[pk] = frozenset({IDLE_RULE, CLOSE_DATE_RULE})
            elif "expected_close_date" in changes:
                again[pk] = frozenset({CLOSE_DATE_RULE})
        reminders.schedule_many(
            Opportunity,
            tenant=ctx.tenant,
            created=[pk for pk, _values in created],
            again=again,
            related=("owner",),
        )


# --- contracts --------------------------------------------------------------------


class ContractResource(CrmResource):
    """合同: upsert by 合同编号; created as drafts, and only drafts are ever changed."""

    name = "contracts"
    permission_module = "sales.contract"
    owner_field = "owner"
    natural_keys = [("number",)]
    # Only a draft is edited (contract_update): from submission on, the amount is
    # being approved, and a signed contract is a confirmed document.
    frozen_q = ~Q(status=ContractStatus.DRAFT)
    search_names = ("number", "title", "customer_id")
    columns = [
        Column(
            "number",
            _("contract number"),
            ("合同编号", "合同号", "合同编码", "编号", "contract no", "number"),
            attr="number",
            clean=_text,
            required=True,
        ),
        *customer_columns(),
        Column(
            "title",
            _("contract title"),
            ("合同名称", "合同标题", "标题", "名称", "title", "contract name"),
            attr="title",
            clean=_text,
        ),
        Column(
            "amount",
            _("contract amount"),
            ("合同金额", "金额", "总金额", "合同总额", "amount"),
            attr="amount",
            clean=plain(cleaners.amount),
        ),
        Column(
            "signed_on",
            _("signed date"),
            ("签订日期", "签约日期", "签署日期", "签订时间", "signed on", "signed", "sign date"),
            attr="signed_on",
            clean=plain(cleaners.date),
        ),
        Column(
            "start_date",
            _("start date"),
            ("开始日期", "生效日期", "起始日期", "合同开始日期", "start"),
            attr="start_date",
            clean=plain(cleaners.date),
        ),
        Column(
            "end_date",
            _("end date"),
            ("结束日期", "到期日期", "截止日期", "终止日期", "合同结束日期", "end"),
            attr="end_date",
            clean=plain(cleaners.date),
        ),
        Column(
            "opportunity",
            _("opportunity"),
            ("销售机会", "机会名称", "商机", "商机名称", "opportunity name"),
            clean=_text,
            export=lambda c: c.opportunity.name if c.opportunity_id else "",
        ),
        owner_column(),
        Column(
            "status",
            _("status"),
            ("状态", "合同状态", "status"),
            clean=choice(ContractStatus),
            export=lambda c: c.get_status_display(),
        ),
        Column(
            "collected_amount",
            _("collected amount"),
            ("已回款", "已回款金额", "已收金额"),
            export=value_of("collected_amount"),
            importable=False,
        ),
    ]

    class Meta:
        model = Contract
        fields = ("number", "title", "amount", "signed_on", "start_date", "end_date")

    @classmethod
    def extra_attrs(cls):
        return ("customer_id", "opportunity_id")

    @classmethod
    def finish(cls, ctx, values, virtual, errors):
        require_customer(virtual, errors)
        start, end = values.get("start_date"), values.get("end_date")
        if start and end and end < start:
            errors.append(("end_date", str(end), gettext("The end date is before the start date.")))

    @classmethod
    def prepare_chunk(cls, ctx: ImportContext, rows):
        owners = resolve_customers(ctx, rows)
        rows = [r for r in rows if not r.errors]
        if not rows:
            return
        current = {
            c["number"]: c
            for c in ctx.editable(
                Contract.objects.filter(
                    tenant=ctx.tenant, number__in={r.values["number"] for r in rows}
                ),
                cls.owner_field,
            ).values("number", "status", "customer_id", "opportunity_id")
        }
        wanted = {
            (r.values["customer_id"], r.virtual["opportunity"])
            for r in rows
            if r.virtual.get("opportunity")
        }
        opportunities: dict[tuple, list[int]] = defaultdict(list)
        if wanted:
            found = ctx.editable(
                Opportunity.objects.filter(
                    tenant=ctx.tenant,
                    customer_id__in={c for c, _n in wanted},
                    name__in={n for _c, n in wanted},
                ),
                "owner",
            )
            for pk, customer_id, name in found.values_list("pk", "customer_id", "name"):
                opportunities[(customer_id, name)].append(pk)
        for row in rows:
            existing = current.get(row.values["number"])
            if owners.get(row.values["customer_id"], 0) is None and (
                existing is None or existing["customer_id"] != row.values["customer_id"]
            ):
                # A new contract, or a contract moved, onto a customer in the public
                # pool (contract_create and contract_update refuse it too).
                _refuse_pool_customer(row)
                continue
            _check_state(
                row,
                "status",
                existing["status"] if existing else None,
                ContractStatus.DRAFT,
                ContractStatus,
            )
            name = row.virtual.get("opportunity")
            if name:
                found = opportunities.get((row.values["customer_id"], name), [])
                if len(found) == 1:
                    row.values["opportunity_id"] = found[0]
                elif found:
                    row.error(
                        "opportunity",
                        name,
                        gettext("The customer has several opportunities named “%(name)s”.")
                        % {"name": name},
                    )
                else:
                    row.error(
                        "opportunity",
                        name,
                        gettext("The customer has no opportunity named “%(name)s”.")
                        % {"name": name},
                    )
            elif (
                existing
                and existing["opportunity_id"]
                and existing["customer_id"] != row.values["customer_id"]
            ):
                row.error(
                    "customer_name",
                    row.virtual.get("customer_name") or row.virtual.get("customer_code"),
                    gettext(
                        "The contract is linked to an opportunity of its current customer: "
                        "give the new customer's opportunity too."
                    ),
                )

    @classmethod
    def compute_search_key(cls, values: dict) -> str:
        """Like ``contract_create``: number, title and the customer's name."""
        customer_id = values.get("customer_id")
        customer = customer_info(customer_id)[0] if customer_id else ""
        return search_key(values.get("number") or "", values.get("title") or "", customer)

    @classmethod
    def on_create(cls, ctx, values):
        if not values.get("owner_id"):
            values["owner_id"] = ctx.default_owner()  # like contract_create: the author

    @classmethod
    def after_write(cls, ctx, created, updated):
        """Imported numbers of the app's form (HT000123) move the contract sequence on,
        so the next contract created in the app never takes an imported number."""
        contract_numbers_taken(
            tenant=ctx.tenant, numbers=[values.get("number") or "" for _pk, values in created]
        )


# --- payment plans ----------------------------------------------------------------


class InstallmentResource(CrmResource):
    """回款计划: one row per installment, by 合同编号 + 期数; only a draft's plan changes."""

    name = "contract-installments"
    permission_module = "sales.contract"
    owner_field = "contract__owner"
    natural_keys = [("contract_id", "sequence")]
    frozen_q = ~Q(contract__status=ContractStatus.DRAFT)
    columns = [
        Column(
            "contract_number",
            _("contract number"),
            ("合同编号", "合同号", "合同编码", "contract no", "contract"),
            clean=_text,
            required=True,
            export=lambda i: i.contract.number,
        ),
        Column(
            "customer_name",
            _("customer name"),
            ("客户名称", "客户"),
            export=lambda i: i.contract.customer.name,
            importable=False,
        ),
        Column(
            "sequence",
            _("installment"),
            ("期数", "期次", "第几期", "分期", "序号", "installment no", "sequence"),
            attr="sequence",
            clean=plain(cleaners.positive_int),
            required=True,
        ),
        Column(
            "due_date",
            _("due date"),
            (
                "计划回款日期",
                "回款日期",
                "应收日期",
                "计划收款日期",
                "到期日",
                "到期日期",
                "due",
            ),
            attr="due_date",
            clean=plain(cleaners.date),
            required=True,
        ),
        Column(
            "amount",
            _("amount"),
            ("计划回款金额", "回款金额", "应收金额", "计划收款金额", "金额", "amount"),
            attr="amount",
            clean=plain(cleaners.positive_amount),
            required=True,
        ),
        Column(
            "note",
            _("note"),
            ("备注", "说明", "remark"),
            attr="note",
            clean=_text,
        ),
        Column(
            "collected_amount",
            _("collected amount"),
            ("已回款", "已回款金额", "已收金额"),
            export=value_of("collected_amount"),
            importable=False,
        ),
        Column(
            "status",
            _("status"),
            ("状态", "回款状态"),
            export=lambda i: i.get_status_display(),
            importable=False,
        ),
    ]

    class Meta:
        model = Installment
        fields = ("sequence", "due_date", "amount", "note")

    @classmethod
    def extra_attrs(cls):
        return ("contract_id",)

    @classmethod
    def prepare_chunk(cls, ctx: ImportContext, rows):
        """Find the contracts by number; a new installment needs a draft contract."""
        numbers = {r.virtual["contract_number"] for r in rows if r.virtual.get("contract_number")}
        contracts = {
            number: (pk, status)
            for number, pk, status in ctx.editable(
                Contract.objects.filter(tenant=ctx.tenant, number__in=numbers), "owner"
            ).values_list("number", "pk", "status")
        }
        closed = {pk for pk, status in contracts.values() if status != ContractStatus.DRAFT}
        planned = set()
        if closed:
            planned = set(
                Installment.objects.filter(contract_id__in=closed).values_list(
                    "contract_id", "sequence"
                )
            )
        for row in rows:
            if row.errors:
                continue
            number = row.virtual["contract_number"]
            if number not in contracts:
                row.error(
                    "contract_number",
                    number,
                    gettext("No contract has the number “%(number)s”.") % {"number": number},
                )
                continue
            pk, status = contracts[number]
            if pk in closed and (pk, row.values["sequence"]) not in planned:
                # An existing installment goes on to the frozen rule (unchanged is fine).
                row.error(
                    "contract_number",
                    number,
                    gettext(
                        "Contract %(number)s is “%(status)s”: its payment plan can only "
                        "change while it is a draft."
                    )
                    % {"number": number, "status": ContractStatus(status).label},
                )
                continue
            row.values["contract_id"] = pk


#: Registered in ``SalesConfig.ready``, in this order.
RESOURCES = (ProductResource, OpportunityResource, ContractResource, InstallmentResource)
