"""The marketing endpoints: the flow of the issue's "done when" through the API,
frozen documents (409), a return limited to what was issued, event figures."""

import pytest

from crm.core.models import DictionaryItem
from crm.customers.models import Lead
from crm.marketing.models import StockItem
from tests.conftest import client_for
from tests.marketing.helpers import D, item

pytestmark = pytest.mark.django_db


def post(client, url, body=None, status=201):
    response = client.post(url, body or {}, format="json")
    assert response.status_code == status, response.json()
    return response.json()


def step(client, url, name, status=200, **body):
    return post(client, f"{url}transitions/{name}/", body, status=status)


def test_done_when(admin, marketer, manager, keeper):
    """Stock seen, 200 brochures and 20 gifts requested for an exhibition, approved by
    the manager, issued by the stock keeper, 5 gifts returned; the event shows its cost
    and its leads."""
    m, k, boss = client_for(marketer), client_for(keeper), client_for(manager)
    category = DictionaryItem.objects.get(tenant=admin.tenant, kind="stock_category", code="gift")
    brochure = post(
        k,
        "/api/v1/stock-items/",
        {
            "code": "P1",
            "name": "宣传册",
            "unit": "本",
            "unit_cost": "2.50",
            "category": category.pk,
        },
    )
    gift = post(
        k,
        "/api/v1/stock-items/",
        {
            "code": "G1",
            "name": "保温杯",
            "unit": "个",
            "unit_cost": "30.00",
            "low_stock_threshold": "10",
        },
    )
    receipt = post(
        k,
        "/api/v1/stock-receipts/",
        {
            "supplier": "印刷厂",
            "lines": [
                {"item": brochure["id"], "quantity": "500"},
                {"item": gift["id"], "quantity": "40", "unit_cost": "30.00"},
            ],
        },
    )
    assert receipt["number"].startswith("RK") and receipt["status"] == "draft"
    step(k, f"/api/v1/stock-receipts/{receipt['id']}/", "confirm")
    stock = m.get("/api/v1/stock-items/").json()
    assert {r["code"]: r["quantity_on_hand"] for r in stock["results"]} == {
        "G1": "40.00",
        "P1": "500.00",
    }
    event = post(
        m,
        "/api/v1/marketing-events/",
        {
            "name": "上海工博会",
            "type": "exhibition",
            "budget": "20000.00",
            "expenses": [{"description": "展位费", "amount": "8000.00"}],
        },
    )
    req = post(
        m,
        "/api/v1/requisitions/",
        {
            "purpose": "工博会赠品",
            "marketing_event": event["id"],
            "lines": [
                {"item": brochure["id"], "quantity": "200"},
                {"item": gift["id"], "quantity": "20"},
            ],
        },
    )
    url = f"/api/v1/requisitions/{req['id']}/"
    body = step(m, url, "submit")
    assert body["status"] == "submitted"
    mine = {t["name"]: t for t in body["transitions"]}
    assert mine["approve"]["allowed"] is False
    body = step(boss, url, "approve")
    assert body["status"] == "approved" and body["approved_by"] == manager.pk
    step(m, url, "issue", status=403)
    body = step(k, url, "issue")
    assert body["status"] == "issued" and body["total_cost"] == "1100.00"
    ret = post(
        m,
        "/api/v1/stock-returns/",
        {"requisition": req["id"], "lines": [{"item": gift["id"], "quantity": "5"}]},
    )
    step(k, f"/api/v1/stock-returns/{ret['id']}/", "confirm")
    assert StockItem.objects.get(pk=gift["id"]).quantity_on_hand == D(25)
    movements = m.get(f"/api/v1/stock-movements/?item={gift['id']}").json()
    assert [r["quantity"] for r in movements["results"]] == ["5.00", "-20.00", "40.00"]

    Lead.objects.bulk_create(
        Lead(tenant=admin.tenant, company_name=f"展会线索{i}", marketing_event_id=event["id"])
        for i in range(4)
    )
    figures = m.get(f"/api/v1/marketing-events/{event['id']}/").json()["figures"]
    # 8000 expenses + 200 x 2.50 + 15 x 30.00 net of the return
    assert figures == {
        "expense_cost": "8000.00",
        "goods_cost": "950.00",
        "cost": "8950.00",
        "leads": 4,
        "opportunities": 0,
        "won_amount": "0.00",
        "cost_per_lead": "2237.50",
    }


def test_frozen_documents_refuse_patch_and_delete(admin, marketer, manager, keeper):
    gift = item(admin, stock=10)
    k = client_for(keeper)
    receipt = post(k, "/api/v1/stock-receipts/", {"lines": [{"item": gift.pk, "quantity": "3"}]})
    url = f"/api/v1/stock-receipts/{receipt['id']}/"
    step(k, url, "confirm")
    patch = k.patch(url, {"supplier": "x"}, format="json")
    assert patch.status_code == 409 and patch.json()["code"] == "frozen"
    delete = k.delete(url)
    assert delete.status_code == 409 and delete.json()["code"] == "frozen"
    assert StockItem.objects.get(pk=gift.pk).quantity_on_hand == D(13)

    m = client_for(marketer)
    req = post(
        m, "/api/v1/requisitions/", {"purpose": "x", "lines": [{"item": gift.pk, "quantity": "1"}]}
    )
    rurl = f"/api/v1/requisitions/{req['id']}/"
    step(m, rurl, "submit")
    patch = m.patch(rurl, {"purpose": "y"}, format="json")
    assert patch.status_code == 409 and patch.json()["code"] == "frozen"
    step(client_for(manager), rurl, "approve")
    step(k, rurl, "issue")
    for response in (m.patch(rurl, {"purpose": "y"}, format="json"), m.delete(rurl)):
        assert response.status_code == 409 and response.json()["code"] == "frozen"


def test_short_stock_reasons_in_the_api(admin, marketer, manager, keeper):
    gift = item(admin, "G1", "保温杯", stock=2)
    m = client_for(marketer)
    req = post(
        m, "/api/v1/requisitions/", {"purpose": "x", "lines": [{"item": gift.pk, "quantity": "3"}]}
    )
    url = f"/api/v1/requisitions/{req['id']}/"
    step(m, url, "submit")
    step(client_for(manager), url, "approve")
    detail = client_for(keeper).get(url).json()
    issue = {t["name"]: t for t in detail["transitions"]}["issue"]
    assert issue["allowed"] is False and "保温杯" in issue["reasons"][0]
    body = step(client_for(keeper), url, "issue", status=400)
    assert body["code"] == "guard_failed" and "保温杯" in body["reasons"][0]


def test_return_beyond_issued_is_refused_in_the_api(admin, marketer, manager, keeper):
    gift = item(admin, "G1", "保温杯", stock=10)
    m, k = client_for(marketer), client_for(keeper)
    req = post(
        m, "/api/v1/requisitions/", {"purpose": "x", "lines": [{"item": gift.pk, "quantity": "4"}]}
    )
    url = f"/api/v1/requisitions/{req['id']}/"
    step(m, url, "submit")
    step(client_for(manager), url, "approve")
    step(k, url, "issue")
    ret = post(
        m,
        "/api/v1/stock-returns/",
        {"requisition": req["id"], "lines": [{"item": gift.pk, "quantity": "5"}]},
    )
    body = step(k, f"/api/v1/stock-returns/{ret['id']}/", "confirm", status=400)
    assert body["code"] == "guard_failed" and "保温杯" in body["reasons"][0]
    assert StockItem.objects.get(pk=gift.pk).quantity_on_hand == D(6)


def test_movements_are_read_only(admin, keeper):
    gift = item(admin, stock=5)
    k = client_for(keeper)
    (row,) = k.get("/api/v1/stock-movements/").json()["results"]
    assert row["item"] == gift.pk and row["document_kind"] == "receipt"
    assert k.post("/api/v1/stock-movements/", {}, format="json").status_code == 405
    assert k.delete(f"/api/v1/stock-movements/{row['id']}/").status_code == 405


def test_another_tenants_ids_answer_404(admin, other_admin):
    gift = item(admin, stock=5)
    response = client_for(other_admin).get(f"/api/v1/stock-items/{gift.pk}/")
    assert response.status_code == 404


def test_channel_figures(admin):
    a = client_for(admin)
    baidu = DictionaryItem.objects.get(tenant=admin.tenant, kind="ad_channel", code="baidu")
    ad = post(
        a, "/api/v1/ad-placements/", {"name": "百度推广", "channel": baidu.pk, "cost": "3000.00"}
    )
    Lead.objects.bulk_create(
        Lead(tenant=admin.tenant, company_name=f"L{i}", ad_placement_id=ad["id"]) for i in range(3)
    )
    rows = a.get("/api/v1/ad-placements/channels/").json()
    assert rows == [
        {
            "channel": baidu.pk,
            "channel_label": "百度",
            "placements": 1,
            "cost": "3000.00",
            "leads": 3,
            "won_customers": 0,
            "cost_per_lead": "1000.00",
            "cost_per_won_customer": None,
        }
    ]
    listed = a.get("/api/v1/ad-placements/").json()["results"]
    assert listed[0]["lead_count"] == 3


def test_a_lead_points_at_its_event_and_placement(admin, marketer, other_admin):
    m = client_for(marketer)
    event = post(m, "/api/v1/marketing-events/", {"name": "研讨会", "type": "seminar"})
    ad = post(m, "/api/v1/ad-placements/", {"name": "抖音投放", "cost": "500.00"})
    lead = post(
        m,
        "/api/v1/leads/",
        {"company_name": "上海某公司", "marketing_event": event["id"], "ad_placement": ad["id"]},
    )
    assert (lead["marketing_event"], lead["ad_placement"]) == (event["id"], ad["id"])
    figures = m.get(f"/api/v1/marketing-events/{event['id']}/").json()["figures"]
    assert figures["leads"] == 1
    foreign = post(client_for(other_admin), "/api/v1/marketing-events/", {"name": "别家的活动"})
    response = m.patch(
        f"/api/v1/leads/{lead['id']}/", {"marketing_event": foreign["id"]}, format="json"
    )
    assert response.status_code == 400 and "marketing_event" in response.json()["fields"]
    deleted = m.delete(f"/api/v1/marketing-events/{event['id']}/")
    assert deleted.status_code == 409 and deleted.json()["code"] == "protected"


def test_event_roi_report_and_stock_value(admin, marketer, manager, keeper):
    from crm.marketing import services
    from tests.marketing.helpers import issued

    gift = item(admin, "G1", "保温杯", cost="30.00", stock=10)
    events = [
        services.marketing_event_create(
            tenant=admin.tenant,
            actor=marketer,
            name=f"活动{i}",
            expenses=[{"description": "场地", "amount": D(1000 * (i + 1))}],
        )
        for i in range(3)
    ]
    issued(marketer, manager, keeper, [(gift, 4)], marketing_event=events[0])
    Lead.objects.bulk_create(
        Lead(tenant=admin.tenant, company_name=f"L{i}", marketing_event=events[0]) for i in range(2)
    )
    rows = client_for(marketer).get("/api/v1/marketing-events/roi/?ordering=id").json()["results"]
    assert [(r["name"], r["figures"]["cost"], r["figures"]["cost_per_lead"]) for r in rows] == [
        ("活动0", "1120.00", "560.00"),
        ("活动1", "2000.00", None),
        ("活动2", "3000.00", None),
    ]
    (row,) = client_for(keeper).get("/api/v1/stock-items/").json()["results"]
    assert (row["quantity_on_hand"], row["stock_value"]) == ("6.00", "180.00")
    created = post(client_for(keeper), "/api/v1/stock-items/", {"code": "G2", "name": "笔"})
    assert (created["quantity_on_hand"], created["stock_value"]) == ("0.00", "0.00")


def test_requisitions_per_department_and_purpose(admin, marketer, manager, keeper):
    from crm.marketing import services
    from crm.marketing.models import StockReturn
    from tests.marketing.helpers import issued, move, requisition

    gift = item(admin, "G1", "保温杯", cost="30.00", stock=50)
    first = issued(marketer, manager, keeper, [(gift, 4)], purpose="展会")
    issued(marketer, manager, keeper, [(gift, 2)], purpose="展会")
    issued(marketer, manager, keeper, [(gift, 1)], purpose="客户拜访")
    requisition(marketer, [(gift, 9)], purpose="展会")  # a draft: not counted
    back = services.return_create(
        tenant=admin.tenant,
        actor=marketer,
        requisition=first,
        lines=[{"item": gift, "quantity": D(1)}],
    )
    move(StockReturn, back, "confirm", keeper)
    rows = client_for(manager).get("/api/v1/requisitions/summary/").json()
    team = marketer.team
    assert rows == [
        {
            "team": team.pk,
            "team_name": "市场部",
            "purpose": "客户拜访",
            "requisitions": 1,
            "cost": "30.00",
        },
        {
            "team": team.pk,
            "team_name": "市场部",
            "purpose": "展会",
            "requisitions": 2,
            "cost": "150.00",
        },
    ]
