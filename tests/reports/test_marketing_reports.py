"""Marketing reports on known numbers: stock on hand with its value (now and as of a
past day), movements per item and period, requisitions per department and
purpose, event ROI and channel ROI; the data scope, the module switch, query
counts that do not grow with the rows, the xlsx export of each, bad input."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from crm.core.models import DictionaryItem
from crm.core.modules import set_modules
from crm.customers.services import customer_create, lead_create
from crm.marketing import campaigns, services
from crm.marketing.models import StockAdjustment, StockItem, StockMovement, StockReturn
from crm.sales.models import Opportunity
from crm.sales.services import opportunity_create
from tests.conftest import client_for, make_user
from tests.imports.helpers import read_xlsx
from tests.marketing import conftest as marketing_fixtures
from tests.marketing.helpers import D, issued, item, move

pytestmark = pytest.mark.django_db
# 市场部 with its manager, a marketer in it and a stock keeper (the marketing tests' own).
marketing_team = marketing_fixtures.marketing_team
manager = marketing_fixtures.manager
marketer = marketing_fixtures.marketer
keeper = marketing_fixtures.keeper
BASE = "/api/v1/reports/marketing"
REPORTS = ("stock-on-hand", "stock-movements", "requisitions", "event-roi", "channel-roi")


def _dict(admin, kind, code):
    return DictionaryItem.objects.get(tenant=admin.tenant, kind=kind, code=code)


def _event(actor, name, starts_on, *expenses, type="exhibition"):
    return services.marketing_event_create(
        tenant=actor.tenant,
        actor=actor,
        name=name,
        type=type,
        starts_on=starts_on,
        expenses=[{"description": f"费用{i}", "amount": D(a)} for i, a in enumerate(expenses)],
    )


@pytest.fixture
def books(admin, marketer, manager, keeper):
    """Stock received 60 days ago: 500 brochures at 2.50, 40 cups at 30.00, 10 USB
    sticks at 50.00. This month: 2 sticks missing at the count; 200 brochures and
    20 cups issued for the exhibition and 5 cups returned; 1 stick for a campaign;
    10 brochures for the office (the admin, no department)."""
    tenant = admin.tenant
    brochure = item(admin, "P1", "宣传册", cost="2.50", threshold="100")
    StockItem.objects.filter(pk=brochure.pk).update(
        category=_dict(admin, "stock_category", "printed")
    )
    cup = item(admin, "G1", "保温杯", cost="30.00", threshold="30")
    usb = item(admin, "G2", "U盘", cost="50.00")
    idle = item(admin, "G9", "停用礼品", cost="9.00")
    services.stock_item_update(idle, tenant=tenant, actor=admin, active=False)
    receipt = services.receipt_create(
        tenant=tenant,
        actor=keeper,
        lines=[
            {"item": brochure, "quantity": D(500)},
            {"item": cup, "quantity": D(40)},
            {"item": usb, "quantity": D(10)},
        ],
    )
    from crm.marketing.models import StockReceipt

    move(StockReceipt, receipt, "confirm", keeper)
    long_ago = timezone.now() - dt.timedelta(days=60)
    StockMovement.objects.filter(document_kind="receipt").update(at=long_ago)
    count = services.adjustment_create(
        tenant=tenant, actor=keeper, reason="盘点", lines=[{"item": usb, "quantity": D(-2)}]
    )
    move(StockAdjustment, count, "confirm", keeper)
    expo = _event(marketer, "2026 工博会", dt.date(2026, 11, 10), "8000", "3500")
    seminar = _event(marketer, "新品研讨会", dt.date(2026, 12, 1), "1000", type="seminar")
    req = issued(marketer, manager, keeper, [(brochure, 200), (cup, 20)], marketing_event=expo)
    back = services.return_create(
        tenant=tenant, actor=marketer, requisition=req, lines=[{"item": cup, "quantity": D(5)}]
    )
    move(StockReturn, back, "confirm", keeper)
    campaign = campaigns.campaign_create(tenant=tenant, actor=admin, name="春季战役")
    issued(marketer, manager, keeper, [(usb, 1)], campaign=campaign, purpose="客户拜访")
    issued(admin, manager, keeper, [(brochure, 10)], purpose="办公室布置")
    # The exhibition's leads: three, one won 30,000, one open at 5,000.
    leads = [
        lead_create(tenant=tenant, actor=admin, company_name=f"展会线索{i}", marketing_event=expo)
        for i in range(3)
    ]
    customer = customer_create(tenant=tenant, actor=admin, name="展会客户")
    won = opportunity_create(
        tenant=tenant, actor=admin, name="大单", customer=customer, amount=D(30000), lead=leads[0]
    )
    Opportunity.objects.filter(pk=won.pk).update(status="won")
    opportunity_create(
        tenant=tenant, actor=admin, name="在谈", customer=customer, amount=D(5000), lead=leads[1]
    )
    # Advertising: Baidu 6,000 in November with three leads (one customer won),
    # WeChat 1,000 in October without leads.
    baidu = services.ad_placement_create(
        tenant=tenant,
        actor=marketer,
        name="百度竞价",
        channel=_dict(admin, "ad_channel", "baidu"),
        starts_on=dt.date(2026, 11, 1),
        cost=D(6000),
    )
    services.ad_placement_create(
        tenant=tenant,
        actor=marketer,
        name="公众号",
        channel=_dict(admin, "ad_channel", "wechat"),
        starts_on=dt.date(2026, 10, 1),
        cost=D(1000),
    )
    for i in range(3):
        lead = lead_create(tenant=tenant, actor=admin, company_name=f"百度线索{i}")
        lead.ad_placement = baidu
        if i == 0:
            lead.customer = customer
        lead.save(update_fields=["ad_placement", "customer"])
    return {"expo": expo, "seminar": seminar, "items": (brochure, cup, usb)}


def get(user, report, query=""):
    response = client_for(user).get(f"{BASE}/{report}/{query}")
    assert response.status_code == 200, response.content
    return response.json()


def test_stock_on_hand_with_value_now_and_as_of_a_past_day(admin, books, keeper):
    data = get(keeper, "stock-on-hand")
    rows = {r["code"]: r for r in data["rows"]}
    assert list(rows) == ["G1", "G2", "P1"]  # the inactive empty item is left out
    assert (rows["P1"]["quantity"], rows["P1"]["value"]) == ("290.00", "725.00")
    assert (rows["G1"]["quantity"], rows["G1"]["value"]) == ("25.00", "750.00")
    assert (rows["G2"]["quantity"], rows["G2"]["value"]) == ("7.00", "350.00")
    assert [r["code"] for r in data["rows"] if r["low"]] == ["G1"]  # 25 <= 30
    assert data["totals"] == {"items": 3, "quantity": "322.00", "value": "1825.00", "low": 1}
    by_category = {c["category_label"]: c["value"] for c in data["categories"]}
    assert by_category == {"礼品": "1100.00", "印刷品": "725.00"}
    # The list's stock value agrees with the report.
    listed = client_for(keeper).get("/api/v1/stock-items/?ordering=code").json()["results"]
    assert {r["code"]: r["stock_value"] for r in listed if r["active"]} == {
        code: r["value"] for code, r in rows.items()
    }
    # A month ago only the receipt had happened.
    past = (timezone.localdate() - dt.timedelta(days=30)).isoformat()
    then = get(keeper, "stock-on-hand", f"?as_of={past}")
    assert {r["code"]: r["quantity"] for r in then["rows"]} == {
        "G1": "40.00",
        "G2": "10.00",
        "P1": "500.00",
    }
    assert then["totals"]["value"] == "2950.00"  # 1250 + 1200 + 500
    gifts = _dict(admin, "stock_category", "gift").pk
    only = get(keeper, "stock-on-hand", f"?category={gifts}&low=true")
    assert [r["code"] for r in only["rows"]] == ["G1"] and only["totals"]["value"] == "750.00"


def test_movements_per_item_in_the_period(books, keeper):
    data = get(keeper, "stock-movements")
    today = timezone.localdate()
    assert data["date_from"] == today.replace(day=1).isoformat()
    rows = {r["code"]: r for r in data["rows"]}
    p1, g1, g2 = rows["P1"], rows["G1"], rows["G2"]
    assert (p1["opening"], p1["issued"], p1["closing"]) == ("500.00", "210.00", "290.00")
    assert (g1["opening"], g1["issued"], g1["returned"], g1["closing"]) == (
        "40.00",
        "20.00",
        "5.00",
        "25.00",
    )
    assert (g2["adjusted"], g2["issued"], g2["closing"]) == ("-2.00", "1.00", "7.00")
    assert g1["value_in"] == "150.00" and g1["value_out"] == "600.00"
    # Out: 210 x 2.50 + 20 x 30 + 3 x 50 = 1,275; in: the 5 cups back.
    assert data["totals"] == {
        "items": 3,
        "movements": 6,
        "value_in": "150.00",
        "value_out": "1275.00",
    }
    # A period over the receipt day only; one item.
    day = (timezone.localdate() - dt.timedelta(days=60)).isoformat()
    brochure = books["items"][0]
    that_day = get(keeper, "stock-movements", f"?date_from={day}&date_to={day}&item={brochure.pk}")
    assert [(r["code"], r["opening"], r["received"], r["closing"]) for r in that_day["rows"]] == [
        ("P1", "0.00", "500.00", "500.00")
    ]


def test_requisitions_per_department_and_purpose(admin, books, manager, marketer):
    data = get(admin, "requisitions")
    rows = [(r["team_name"], r["purpose"], r["requisitions"], r["cost"]) for r in data["rows"]]
    assert rows == [
        ("（无部门）", "办公室布置", 1, "25.00"),
        ("市场部", "客户拜访", 1, "50.00"),
        ("市场部", "展会赠品", 1, "950.00"),  # 200 x 2.50 + 20 x 30 - 5 x 30 back
    ]
    expo = next(r for r in data["rows"] if r["purpose"] == "展会赠品")
    assert (expo["issued_cost"], expo["returned_cost"]) == ("1100.00", "150.00")
    assert data["totals"]["cost"] == "1025.00" and data["totals"]["requisitions"] == 3
    departments = {d["team_name"]: d["cost"] for d in data["departments"]}
    assert departments == {"市场部": "1000.00", "（无部门）": "25.00"}
    # The manager's scope is their team: the admin's requisition is not theirs to see.
    assert [r["purpose"] for r in get(manager, "requisitions")["rows"]] == ["客户拜访", "展会赠品"]
    team = marketer.team_id
    assert len(get(admin, "requisitions", f"?team={team}")["rows"]) == 2
    # Issued in the period: none before this year.
    assert get(admin, "requisitions", "?date_to=2020-12-31")["rows"] == []


def test_event_roi_on_known_numbers(admin, books, marketer):
    data = get(admin, "event-roi")
    rows = {r["name"]: r for r in data["rows"]}
    expo = rows["2026 工博会"]
    # 8,000 + 3,500 of expenses and 950 of goods (net of the return)
    assert (expo["expense_cost"], expo["goods_cost"], expo["cost"]) == (
        "11500.00",
        "950.00",
        "12450.00",
    )
    assert (expo["leads"], expo["opportunities"], expo["won_amount"]) == (3, 2, "30000.00")
    assert expo["cost_per_lead"] == "4150.00"
    assert expo["roi_percent"] == "140.96"  # (30,000 - 12,450) / 12,450
    seminar = rows["新品研讨会"]
    assert seminar["cost"] == "1000.00" and seminar["cost_per_lead"] is None
    assert seminar["roi_percent"] == "-100.00"
    assert data["totals"]["cost"] == "13450.00" and data["totals"]["leads"] == 3
    assert data["totals"]["cost_per_lead"] == "4483.33"
    assert data["totals"]["roi_percent"] == "123.05"  # (30,000 - 13,450) / 13,450
    assert [r["name"] for r in get(admin, "event-roi", "?type=seminar")["rows"]] == ["新品研讨会"]
    november = get(admin, "event-roi", "?date_from=2026-11-01&date_to=2026-11-30")
    assert [r["name"] for r in november["rows"]] == ["2026 工博会"]
    # The marketer owns both; another marketer (scope: own) sees neither.
    assert len(get(marketer, "event-roi")["rows"]) == 2
    stranger = make_user(admin, "市场", name="市场小张")
    assert get(stranger, "event-roi")["rows"] == []


def test_channel_roi(admin, books):
    data = get(admin, "channel-roi")
    rows = {r["channel_label"]: r for r in data["rows"]}
    assert (rows["百度"]["cost"], rows["百度"]["leads"], rows["百度"]["won_customers"]) == (
        "6000.00",
        3,
        1,
    )
    assert rows["百度"]["cost_per_lead"] == "2000.00"
    assert rows["百度"]["cost_per_won_customer"] == "6000.00"
    assert rows["微信"]["leads"] == 0 and rows["微信"]["cost_per_lead"] is None
    assert data["totals"]["cost"] == "7000.00" and data["totals"]["cost_per_lead"] == "2333.33"
    november = get(admin, "channel-roi", "?date_from=2026-11-01")
    assert [r["channel_label"] for r in november["rows"]] == ["百度"]


def test_query_counts_do_not_grow_with_the_rows(admin, books, marketer, manager, keeper):
    api = client_for(admin)

    def measure():
        counts = {}
        for report in REPORTS:
            with CaptureQueriesContext(connection) as ctx:
                assert api.get(f"{BASE}/{report}/").status_code == 200
            counts[report] = len(ctx)
        return counts

    before = measure()
    tenant = admin.tenant
    more = [item(admin, f"M{i:02}", f"物料{i}", cost="1.00", stock=20) for i in range(12)]
    for i, it in enumerate(more):
        event = _event(marketer, f"活动{i}", dt.date(2026, 12, 2), "100")
        issued(marketer, manager, keeper, [(it, 2)], marketing_event=event, purpose=f"用途{i}")
        lead_create(tenant=tenant, actor=admin, company_name=f"线索{i}", marketing_event=event)
        services.ad_placement_create(
            tenant=tenant,
            actor=marketer,
            name=f"广告{i}",
            channel=DictionaryItem.objects.filter(tenant=tenant, kind="ad_channel")[i % 4],
            cost=D(10),
        )
    after = measure()
    assert after == before
    # A handful beyond the request's own (session, user, roles, scope).
    with CaptureQueriesContext(connection) as base:
        api.get("/api/v1/care/upcoming/?days=1")
    assert max(after.values()) - len(base) <= 7, after


@pytest.mark.parametrize("report", REPORTS)
def test_each_report_exports_xlsx(admin, books, report):
    response = client_for(admin).get(f"{BASE}/{report}/export/")
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(f'marketing-{report}.xlsx"')
    rows = read_xlsx(b"".join(response.streaming_content))
    assert len(rows) >= 3  # header, a row, the total
    with translation.override("zh-hans"):
        assert rows[-1][0] == translation.gettext("total")  # the user's language
    value_column = {"stock-on-hand": 6, "event-roi": 7, "channel-roi": 2, "requisitions": 5}
    expected = {
        "stock-on-hand": 1825,
        "event-roi": 13450,
        "channel-roi": 7000,
        "requisitions": 1025,
    }
    if report in value_column:
        assert rows[-1][value_column[report]] == expected[report]
    else:
        assert rows[-1][-1] == 1275  # the value out of the movements


def test_permission_module_switch_and_bad_input(admin, rep, keeper, books):
    assert client_for(rep).get(f"{BASE}/stock-on-hand/").status_code == 403
    api = client_for(admin)
    bad = {
        "stock-on-hand/?category=x": "category",
        "stock-on-hand/?category=999999": "category",
        "stock-on-hand/?low=maybe": "low",
        "stock-on-hand/?as_of=2999-01-01": "as_of",
        "stock-on-hand/?as_of=2026-02-30": "as_of",
        "stock-movements/?item=999999": "item",
        "stock-movements/?date_from=2026-12-01&date_to=2026-11-01": "date_to",
        "requisitions/?team=999999": "team",
        "event-roi/?type=party": "type",
        "channel-roi/?date_from=x": "date_from",
    }
    for query, field in bad.items():
        response = api.get(f"{BASE}/{query}")
        assert response.status_code == 400, query
        assert list(response.json()["fields"]) == [field], query
    set_modules(tenant=admin.tenant, actor=admin, values={"marketing": False})
    for report in REPORTS:
        for suffix in ("", "export/"):
            response = api.get(f"{BASE}/{report}/{suffix}")
            assert response.status_code == 404, report
            assert response.json()["code"] == "module_disabled"
    assert api.get("/api/v1/reports/customers/by-level/").status_code == 200
