"""The last list-export cells that read as codes: a mass send's progress reads as its
card (已发送 3 · 失败 1 · 已退订 0 · 待发送 6), saved customer filters read the
customer list's labels (状态：有负责人；级别：A级), an event's series and a stock
movement's document id are left out, and a linked complaint or contract reads as
the lists name it (the customer's name; ``number · title``)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django_scopes import scopes_disabled

from crm.activities.services import activity_create
from crm.core.models import DictionaryItem
from crm.customers.models import Customer
from crm.customers.services import customer_create
from crm.marketing.campaigns import campaign_create
from crm.marketing.models import Campaign, StockMovement
from crm.messaging import services as messaging_services
from crm.messaging import templating
from crm.messaging.massing import mass_send_create
from crm.messaging.models import Delivery, MassSend
from crm.sales.services.contracts import contract_create
from crm.service.services import complaint_create
from tests.conftest import client_for
from tests.imports.test_export_values import _export

pytestmark = pytest.mark.django_db

LANGS = ["zh-hans", "en"]


def _heading(model, field: str, lang: str) -> str:
    with translation.override(lang):
        label = str(model._meta.get_field(field).verbose_name)
    return label.lower() if lang == "en" else label


def _mass_sends(admin, count: int) -> None:
    channel = messaging_services.channel_create(
        tenant=admin.tenant, actor=admin, kind="email", name=f"邮件{count}"
    )
    template = templating.template_create(
        tenant=admin.tenant,
        actor=admin,
        name=f"模板{count}",
        channel_kind="email",
        subject="你好",
        body="{{联系人}}您好",
    )
    for i in range(count):
        send = mass_send_create(
            tenant=admin.tenant,
            actor=admin,
            name=f"群发{count}-{i}",
            channel=channel,
            template=template,
            audience="filter",
            filter={"status": ["owned"], "kind": "company", "pool": "false"},
        )
        statuses = ["sent"] * 3 + ["failed"] + ["queued"] * 6
        with scopes_disabled():
            send.total = len(statuses)
            send.save(update_fields=["total"])
            for n, status in enumerate(statuses):
                Delivery.objects.create(
                    tenant=admin.tenant,
                    channel=channel,
                    mass_send=send,
                    recipient=f"r{n}@example.com",
                    body="测试",
                    status=status,
                )


def _level(admin):
    with scopes_disabled():
        return DictionaryItem.objects.create(
            tenant=admin.tenant, kind="level", code="ax", label="A级客户"
        )


def _filter_text(lang: str, first: tuple[str, str]) -> str:
    """The saved filter in the customer list's order of filters: ``first`` (kind or
    level), the status, the pool."""
    with translation.override(lang):
        part = pgettext("a filter in a cell", "%(label)s: %(value)s")
        status = Customer._meta.get_field("status").verbose_name
        return pgettext("filters separator", "; ").join(
            [
                part % {"label": _(first[0]), "value": _(first[1])},
                part % {"label": status, "value": _("owned")},
                part % {"label": _("in public pool"), "value": _("No")},
            ]
        )


@pytest.mark.parametrize("lang", LANGS)
def test_a_mass_sends_progress_and_filter_read_as_its_card_in_constant_queries(admin, lang):
    client = client_for(admin)
    _mass_sends(admin, 1)
    progress = "进度" if lang == "zh-hans" else "progress"
    saved = _heading(MassSend, "filter", lang)
    with CaptureQueriesContext(connection) as few:
        rows = _export(client, "mass-sends", lang)
    with translation.override(lang):
        expected = _(
            "Sent %(sent)d · failed %(failed)d · unsubscribed %(suppressed)d"
            " · remaining %(remaining)d"
        ) % {"sent": 3, "failed": 1, "suppressed": 0, "remaining": 6}
    assert [row[progress] for row in rows] == [expected]
    assert "total" not in rows[0][progress] and "sent:" not in rows[0][progress]
    assert rows[0][saved] == _filter_text(lang, ("kind", "company"))
    _mass_sends(admin, 4)
    with CaptureQueriesContext(connection) as more:
        rows = _export(client, "mass-sends", lang)
    assert len(rows) == 5 and {row[progress] for row in rows} == {expected}
    assert len(more.captured_queries) == len(few.captured_queries)


def test_the_progress_reads_in_english_words():
    from crm.messaging.mass_api import MassSendSerializer

    value = {"total": 10, "sent": 3, "failed": 1, "suppressed": 2, "remaining": 4}
    with translation.override("en"):
        text = MassSendSerializer.export_progress(value, None)
    assert text == "Sent 3 · failed 1 · unsubscribed 2 · remaining 4"


@pytest.mark.parametrize("lang", LANGS)
def test_a_campaigns_target_filter_reads_the_customer_lists_labels(admin, lang):
    client = client_for(admin)
    level = _level(admin)
    spring = campaign_create(
        tenant=admin.tenant,
        actor=admin,
        name="春季活动",
        target_filter={"kind": "company", "pool": "false"},
    )
    old = campaign_create(tenant=admin.tenant, actor=admin, name="旧筛选")
    with scopes_disabled():
        # A status and a level (a dictionary item): their labels. (The services'
        # checks take neither today, a list or a level: written as stored.)
        Campaign.objects.filter(pk=spring.pk).update(
            target_filter={"status": ["owned"], "level": str(level.pk), "pool": "false"}
        )
        # A key saved before the filters were checked reads as it is.
        Campaign.objects.filter(pk=old.pk).update(target_filter={"mystery": "x"})
    heading = _heading(Campaign, "target_filter", lang)
    rows = {
        row["名称" if lang == "zh-hans" else "name"]: row
        for row in _export(client, "campaigns", lang)
    }
    assert rows["春季活动"][heading] == _filter_text(lang, ("level", "A级客户"))
    # A key the customer list does not know reads as it is.
    with translation.override(lang):
        unknown = pgettext("a filter in a cell", "%(label)s: %(value)s") % {
            "label": "mystery",
            "value": "x",
        }
    assert rows["旧筛选"][heading] == unknown


@pytest.mark.parametrize("lang", LANGS)
def test_an_events_series_is_left_out(admin, lang):
    client = client_for(admin)
    from crm.activities.services import events

    events.event_create(
        tenant=admin.tenant,
        actor=admin,
        title="周会",
        start=dt.datetime(2030, 1, 7, 2, 0, tzinfo=dt.UTC),
    )
    rows = _export(client, "events", lang)
    with translation.override(lang):
        series = str(_("series"))
    series = series.lower() if lang == "en" else series
    assert rows and series not in rows[0], list(rows[0])


@pytest.mark.parametrize("lang", LANGS)
def test_a_stock_movements_document_id_is_left_out(admin, lang):
    """The document's number is the column people read; its id means nothing."""
    client = client_for(admin)
    response = client.get(f"/api/v1/stock-movements/export/?file_format=csv&lang={lang}")
    header = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()[0]
    header = header.lower() if lang == "en" else header
    assert _heading(StockMovement, "document_id", lang) not in header.split(","), header
    assert _heading(StockMovement, "document_number", lang) in header.split(","), header


@pytest.mark.parametrize(
    ("lang", "headings"),
    [("zh-hans", ("投诉", "合同")), ("en", ("complaint", "contract"))],
)
def test_a_linked_complaint_and_contract_read_as_their_lists_name_them(admin, lang, headings):
    client = client_for(admin)
    customer = customer_create(tenant=admin.tenant, actor=admin, name="投诉客户有限公司")
    complaint = complaint_create(
        tenant=admin.tenant, actor=admin, customer=customer, description="投诉内容"
    )
    contract = contract_create(
        tenant=admin.tenant, actor=admin, customer=customer, title="年度服务合同"
    )
    activity_create(
        tenant=admin.tenant,
        actor=admin,
        kind="call",
        subject="回访",
        customer=customer,
        complaint=complaint,
        contract=contract,
    )
    (row,) = _export(client, "activities", lang)
    assert (row[headings[0]], row[headings[1]]) == (
        "投诉客户有限公司",
        f"{contract.number} · 年度服务合同",
    )


def test_a_saved_filter_names_its_owner_group_and_date_range_in_one_query_each(admin):
    from crm.core.api.export import filters_text
    from crm.customers.api import CustomerFilter
    from crm.customers.models import CustomerGroup

    with scopes_disabled():
        group = CustomerGroup.objects.create(tenant=admin.tenant, name="重点客户")
    params = {
        "created_at_after": "2026-01-01",
        "group": group.pk,
        "owner": str(admin.pk),
        "tag": "华东",
    }
    cache: dict = {}
    with translation.override("en"), CaptureQueriesContext(connection) as queries:
        texts = [
            filters_text(CustomerFilter, params, admin.tenant_id, cache, {"group": CustomerGroup})
            for _i in range(3)
        ]
    assert len(queries.captured_queries) == 2  # the users, the groups: once
    assert (
        texts[0]
        == texts[2]
        == "; ".join(
            [
                f"owner: {admin.display_name}",
                "created at ≥ 2026-01-01",
                "customer group: 重点客户",
                "tag: 华东",
            ]
        )
    )
