"""Import/export resources for customers, contacts and leads (see ``crm.imports.resources``).

Registered with the import registry in ``CustomersConfig.ready``; the
customer look-ups (``customer_columns``, ``resolve_customers``...) serve the
sales resources too.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm.customers.models import Contact, Customer, Lead
from crm.imports import cleaners
from crm.imports.resources import (
    EMAIL_ALIASES,
    MOBILE_ALIASES,
    Column,
    CrmResource,
    ImportContext,
    aware_date,
    choice,
    dictionary,
    label_of,
    local_date,
    owner_column,
    plain,
    source_column,
)
from workflows import reminders
from workflows.customer import CustomerStatus
from workflows.lead import LeadStatus


def _mobile_and_email_columns() -> tuple[Column, Column]:
    """The mobile and e-mail columns of a record that stores both (contacts, leads)."""
    return (
        Column(
            "mobile",
            _("mobile"),
            MOBILE_ALIASES,
            attr="mobile",
            clean=plain(cleaners.mobile),
        ),
        Column(
            "email",
            _("e-mail"),
            EMAIL_ALIASES,
            attr="email",
            clean=plain(cleaners.email),
        ),
    )


def _text(ctx, raw):
    return cleaners.text(raw)


# --- a row's customer, by 客户编号 or 客户名称 (contacts, opportunities, contracts) ---


def customer_columns() -> tuple[Column, Column]:
    """The two virtual columns naming a row's customer (exported from ``obj.customer``)."""
    return (
        Column(
            "customer_code",
            _("customer code"),
            ("客户编号", "客户编码", "customer no"),
            clean=_text,
            export=lambda obj: obj.customer.code,
        ),
        Column(
            "customer_name",
            _("customer name"),
            ("客户名称", "公司名称", "所属客户", "客户", "company", "customer"),
            clean=_text,
            export=lambda obj: obj.customer.name,
        ),
    )


def require_customer(virtual: dict, errors: list) -> None:
    """``finish``: a row must name its customer by code or name."""
    if not virtual.get("customer_code") and not virtual.get("customer_name"):
        if not any(e[0] in ("customer_code", "customer_name") for e in errors):
            errors.append(("customer_name", "", _("Give the customer code or the customer name.")))


# Customer pk -> (name, owner id) of the customers rows referred to: search keys
# of opportunities and contracts include their customer's name (bounded cache).
CUSTOMER_INFO: dict[int, tuple[str, int | None]] = {}


def customer_info(pk: int) -> tuple[str, int | None]:
    found = CUSTOMER_INFO.get(pk)
    if found is None:
        row = Customer._base_manager.filter(pk=pk).values_list("name", "owner_id").first()
        found = row or ("", None)
        CUSTOMER_INFO[pk] = found
    return found


def resolve_customers(ctx: ImportContext, rows) -> dict[int, int | None]:
    """Set each row's ``customer_id`` from its code, else its exact name (two queries).

    A code that finds nothing, a name that finds nothing or several customers
    is a row error on that column. Returns the owner id of each customer found
    (``None``: in the public pool), read by the same queries.
    """
    codes = {r.virtual["customer_code"] for r in rows if r.virtual.get("customer_code")}
    names = {
        r.virtual["customer_name"]
        for r in rows
        if r.virtual.get("customer_name") and not r.virtual.get("customer_code")
    }
    # Only the customers the user may see: another user's customer is "no customer".
    base = ctx.editable(Customer.objects.filter(tenant=ctx.tenant), "owner")
    fields = ("code", "pk", "name", "owner_id")
    if len(CUSTOMER_INFO) > 100_000:
        CUSTOMER_INFO.clear()
    by_code: dict[str, int] = {}
    owners: dict[int, int | None] = {}
    if codes:
        for code, pk, name, owner_id in base.filter(code__in=codes).values_list(*fields):
            by_code[code] = pk
            CUSTOMER_INFO[pk] = (name, owner_id)
            owners[pk] = owner_id
    by_name: dict[str, list[int]] = {}
    if names:
        for _code, pk, name, owner_id in base.filter(name__in=names).values_list(*fields):
            by_name.setdefault(name, []).append(pk)
            CUSTOMER_INFO[pk] = (name, owner_id)
            owners[pk] = owner_id
    for row in rows:
        if row.errors:
            continue
        code = row.virtual.get("customer_code")
        if code:
            pk = by_code.get(code)
            if pk is None:
                row.error(
                    "customer_code",
                    code,
                    _("No customer has the code “%(code)s”.") % {"code": code},
                )
                continue
        else:
            name = row.virtual.get("customer_name")
            found = by_name.get(name, [])
            if not found:
                row.error(
                    "customer_name",
                    name,
                    _("No customer is named “%(name)s”.") % {"name": name},
                )
                continue
            if len(found) > 1:
                row.error(
                    "customer_name",
                    name,
                    _("Several customers are named “%(name)s”: give the customer code.")
                    % {"name": name},
                )
                continue
            pk = found[0]
        row.values["customer_id"] = pk
    return owners


class CustomerResource(CrmResource):
    """客户: upsert by 客户编号, else 统一社会信用代码, else the exact name."""

    clean_off_thread = True
    name = "customers"
    permission_module = "customers"
    owner_field = "owner"
    natural_keys = [("code",), ("credit_code",), ("name",)]
    search_names = ("name",)
    search_phones = ("phone", "mobile")
    columns = [
        Column(
            "code",
            _("customer code"),
            ("客户编号", "客户编码", "编号", "客户代码", "customer no", "customer id"),
            attr="code",
            clean=_text,
        ),
        Column(
            "name",
            _("customer name"),
            ("客户名称", "公司名称", "客户", "单位名称", "企业名称", "名称", "company", "customer"),
            attr="name",
            clean=_text,
            required=True,
        ),
        Column(
            "kind",
            _("customer type"),
            ("客户类型", "类型", "type"),
            attr="kind",
            clean=choice(Customer.Kind),
            export=lambda c: c.get_kind_display(),
        ),
        Column(
            "credit_code",
            _("unified social credit code"),
            ("统一社会信用代码", "信用代码", "社会信用代码", "税号", "credit code", "uscc"),
            attr="credit_code",
            clean=plain(cleaners.credit_code),
        ),
        Column(
            "industry",
            _("industry"),
            ("行业", "所属行业"),
            attr="industry_id",
            clean=dictionary("industry"),
            export=label_of("industry"),
        ),
        Column(
            "level",
            _("customer level"),
            ("客户等级", "等级", "客户级别", "level"),
            attr="level_id",
            clean=dictionary("level"),
            export=label_of("level"),
        ),
        source_column(_("customer source")),
        Column(
            "region",
            _("region"),
            ("地区", "区域", "所在地区"),
            attr="region",
            clean=_text,
        ),
        Column("province", _("province"), ("省份", "省", "所在省份"), clean=_text),
        Column("city", _("city"), ("城市", "市", "所在城市"), clean=_text),
        Column(
            "address",
            _("address"),
            ("地址", "详细地址", "公司地址", "通讯地址"),
            attr="address",
            clean=_text,
        ),
        Column(
            "phone",
            _("phone"),
            ("电话", "联系电话", "座机", "固定电话", "公司电话", "tel", "telephone"),
            attr="phone",
            clean=plain(cleaners.phone),
        ),
        Column(
            "mobile",
            _("mobile"),
            MOBILE_ALIASES,
            attr="mobile",
            clean=plain(cleaners.mobile),
        ),
        Column(
            "email",
            _("e-mail"),
            EMAIL_ALIASES,
            attr="email",
            clean=plain(cleaners.email),
        ),
        owner_column(),
        Column(
            "created_at",
            _("created date"),
            ("创建日期", "创建时间", "录入日期", "建档日期", "created", "created date"),
            attr="created_at",
            clean=aware_date,
            export=local_date("created_at"),
            create_only=True,
        ),
        Column(
            "remark",
            _("remark"),
            ("备注", "说明", "notes", "note", "comment"),
            attr="remark",
            clean=_text,
        ),
    ]

    class Meta:
        model = Customer
        fields = (
            "code",
            "name",
            "kind",
            "credit_code",
            "region",
            "address",
            "phone",
            "mobile",
            "email",
            "remark",
        )

    @classmethod
    def extra_attrs(cls):
        return ("region", "owned_since")

    @classmethod
    def finish(cls, ctx, values, virtual, errors):
        if "region" not in values and (virtual.get("province") or virtual.get("city")):
            parts = [virtual.get("province") or "", virtual.get("city") or ""]
            if parts[0] and parts[1].startswith(parts[0]):
                parts[0] = ""  # 北京 / 北京市
            values["region"] = " ".join(p for p in parts if p)[:100]

    @classmethod
    def on_create(cls, ctx, values):
        if not values.get("owner_id"):
            values["owner_id"] = ctx.default_owner()  # like customer_create: the creator
        values["owned_since"] = ctx.now if values.get("owner_id") else None
        # Like customer_create: no owner (a superuser's admin import) is the public
        # pool, where it can be claimed.
        owned = bool(values.get("owner_id"))
        values["status"] = CustomerStatus.OWNED if owned else CustomerStatus.POOLED
        values["pooled_at"] = None if owned else ctx.now

    def import_instance(self, instance, row, **kwargs):
        # The admin's import sets a new row's values on an unsaved instance; its pool
        # status (an FSM field that refuses direct changes) is set by ``on_create``.
        if instance.pk is None:
            status = instance.__dict__.pop("status", CustomerStatus.OWNED)
            try:
                super().import_instance(instance, row, **kwargs)
            finally:
                instance.__dict__.setdefault("status", status)  # a refused row keeps one
            return
        super().import_instance(instance, row, **kwargs)

    @classmethod
    def on_update(cls, ctx, existing, changes):
        if "owner_id" in changes:
            changes["owned_since"] = ctx.now

    @classmethod
    def after_write(cls, ctx, created, updated):
        """Plan the pool reminders of new customers (and of moved owners) in bulk: on
        PostgreSQL one ``INSERT ... SELECT`` from the rows just written (``schedule_many``)."""
        reminders.schedule_many(
            Customer,
            tenant=ctx.tenant,
            created=[pk for pk, _values in created],
            again={pk: None for pk, changes in updated if "owner_id" in changes},
            related=("owner",),
        )


class ContactResource(CrmResource):
    """联系人: the customer by 客户编号 or 客户名称; upsert by customer + mobile, else name."""

    clean_off_thread = True
    name = "contacts"
    permission_module = "contacts"
    owner_field = "customer__owner"
    natural_keys = [("customer_id", "mobile"), ("customer_id", "name")]
    search_names = ("name",)
    search_phones = ("mobile",)
    columns = [
        *customer_columns(),
        Column(
            "name",
            _("contact name"),
            ("姓名", "联系人", "联系人姓名", "name"),
            attr="name",
            clean=_text,
            required=True,
        ),
        *_mobile_and_email_columns(),
        Column(
            "title",
            _("job title"),
            ("职务", "职位", "岗位", "title", "position"),
            attr="title",
            clean=_text,
        ),
        Column(
            "birthday",
            _("birthday"),
            ("生日", "出生日期", "birth date"),
            attr="birthday",
            clean=plain(cleaners.date),
        ),
    ]

    class Meta:
        model = Contact
        fields = ("name", "mobile", "email", "title", "birthday")

    @classmethod
    def extra_attrs(cls):
        return ("customer_id",)

    @classmethod
    def finish(cls, ctx, values, virtual, errors):
        require_customer(virtual, errors)

    @classmethod
    def prepare_chunk(cls, ctx: ImportContext, rows):
        """Find every row's customer with two queries (by code, by exact name)."""
        resolve_customers(ctx, rows)


def _campaign_ids(ctx) -> dict[str, int]:
    """The company's campaigns by name and by id (loaded once per import)."""
    from crm.marketing.models import Campaign

    cache = getattr(ctx, "campaign_ids", None)
    if cache is None:
        cache = ctx.campaign_ids = {}
        rows = Campaign._base_manager.filter(tenant=ctx.tenant)
        for pk, title in rows.values_list("pk", "name"):
            cache.setdefault(title, pk)
            cache[str(pk)] = pk
    return cache


def _campaign(ctx, raw) -> int | None:
    """战役 by its name (or id), within the company."""
    name = _text(ctx, raw)
    if not name:
        return None
    cache = _campaign_ids(ctx)
    if name not in cache:
        raise ValidationError(_("Unknown campaign “%(name)s”.") % {"name": name})
    return cache[name]


def _named_ids(ctx, cache_name: str, model_path: str) -> dict[str, int]:
    """A marketing model's rows of the company by name and by id (loaded once per import)."""
    from django.apps import apps

    cache = getattr(ctx, cache_name, None)
    if cache is None:
        cache = {}
        setattr(ctx, cache_name, cache)
        model = apps.get_model(model_path)
        rows = model._base_manager.filter(tenant=ctx.tenant).order_by("pk")
        for pk, title in rows.values_list("pk", "name"):
            cache.setdefault(title, pk)
            cache[str(pk)] = pk
    return cache


def _marketing_event(ctx, raw) -> int | None:
    """市场活动 by its name (or id), within the company."""
    name = _text(ctx, raw)
    if not name:
        return None
    cache = _named_ids(ctx, "marketing_event_ids", "marketing.MarketingEvent")
    if name not in cache:
        raise ValidationError(_("Unknown marketing event “%(name)s”.") % {"name": name})
    return cache[name]


def _ad_placement(ctx, raw) -> int | None:
    """广告投放 by its name (or id), within the company."""
    name = _text(ctx, raw)
    if not name:
        return None
    cache = _named_ids(ctx, "ad_placement_ids", "marketing.AdPlacement")
    if name not in cache:
        raise ValidationError(_("Unknown ad placement “%(name)s”.") % {"name": name})
    return cache[name]


class LeadResource(CrmResource):
    """潜在客户: upsert by mobile, else company + contact name. Converted leads are frozen."""

    clean_off_thread = True
    name = "leads"
    permission_module = "leads"
    owner_field = "owner"
    include_unowned = True  # the public pool, as in the API
    natural_keys = [("mobile",), ("company_name", "contact_name")]
    # A converted lead is a closed record: an import never changes it.
    frozen_q = Q(status=LeadStatus.CONVERTED)
    search_names = ("company_name", "contact_name")
    search_phones = ("mobile",)
    columns = [
        Column(
            "company_name",
            _("company name"),
            ("公司名称", "客户名称", "单位名称", "企业名称", "company", "company name"),
            attr="company_name",
            clean=_text,
            required=True,
        ),
        Column(
            "contact_name",
            _("contact name"),
            ("联系人", "姓名", "联系人姓名", "contact"),
            attr="contact_name",
            clean=_text,
        ),
        *_mobile_and_email_columns(),
        Column(
            "credit_code",
            _("unified social credit code"),
            ("统一社会信用代码", "信用代码", "credit code"),
            attr="credit_code",
            clean=plain(cleaners.credit_code),
        ),
        source_column(_("lead source")),
        Column(
            "campaign",
            _("campaign"),
            ("战役", "营销战役", "市场战役", "campaign"),
            attr="campaign_id",
            clean=_campaign,
            export=lambda lead: lead.campaign.name if lead.campaign_id else "",
        ),
        Column(
            "marketing_event",
            _("marketing event"),
            ("市场活动", "活动", "活动名称", "展会", "event", "marketing event"),
            attr="marketing_event_id",
            clean=_marketing_event,
            export=lambda lead: lead.marketing_event.name if lead.marketing_event_id else "",
        ),
        Column(
            "ad_placement",
            _("ad placement"),
            ("广告投放", "广告发布", "广告", "投放", "ad", "ad placement"),
            attr="ad_placement_id",
            clean=_ad_placement,
            export=lambda lead: lead.ad_placement.name if lead.ad_placement_id else "",
        ),
        Column(
            "need",
            _("need"),
            ("需求", "客户需求", "需求描述", "requirement"),
            attr="need",
            clean=_text,
        ),
        owner_column(),
        Column(
            "status",
            _("status"),
            ("状态", "线索状态"),
            export=lambda lead: lead.get_status_display(),
            importable=False,
        ),
        Column(
            "created_at",
            _("created date"),
            ("创建日期", "创建时间", "created"),
            export=local_date("created_at"),
            importable=False,
        ),
    ]

    class Meta:
        model = Lead
        fields = ("company_name", "contact_name", "mobile", "email", "credit_code", "need")

    @classmethod
    def prime(cls, ctx) -> None:
        """Load the campaigns before the rows are cleaned (maybe on another thread)."""
        _campaign_ids(ctx)
        _named_ids(ctx, "marketing_event_ids", "marketing.MarketingEvent")
        _named_ids(ctx, "ad_placement_ids", "marketing.AdPlacement")

    @classmethod
    def on_create(cls, ctx, values):
        if not values.get("owner_id"):  # like lead_create: the assignment rules, else the creator
            values["owner_id"] = cls._assigned(ctx, values) or ctx.default_owner()
        values["owned_since"] = ctx.now if values.get("owner_id") else None

    @classmethod
    def on_update(cls, ctx, existing, changes):
        if "owner_id" in changes:
            changes["owned_since"] = ctx.now

    @classmethod
    def extra_attrs(cls):
        return ("owned_since",)

    @classmethod
    def _assigned(cls, ctx, values) -> int | None:
        """The rules' owner (one Assigner per import; ``ctx.assign_leads = False`` opts out)."""
        from crm.customers.assignment import Assigner

        if not getattr(ctx, "assign_leads", True) or ctx.dry_run:
            return None
        assigner = getattr(ctx, "lead_assigner", None)
        if assigner is None:
            assigner = ctx.lead_assigner = Assigner(ctx.tenant, lock=False)
        return assigner.pick(
            source_id=values.get("source_id"),
            region=values.get("region") or "",
            industry_id=values.get("industry_id"),
            campaign_id=values.get("campaign_id"),
        )

    @classmethod
    def after_write(cls, ctx, created, updated):
        """Schedule the reminders of new leads (and re-plan those of moved owners) in bulk."""
        assigner = getattr(ctx, "lead_assigner", None)
        if assigner is not None:
            assigner.save()
        reminders.schedule_many(
            Lead,
            tenant=ctx.tenant,
            created=[pk for pk, _values in created],
            again={pk: None for pk, changes in updated if "owner_id" in changes},
            related=("owner__team__leader",),
        )


#: Registered in ``CustomersConfig.ready``, in this order.
RESOURCES = (CustomerResource, ContactResource, LeadResource)
