"""Amounts too big for a money field (14 digits, 2 places) are refused with a 400 naming
the field, never stored: once stored they broke, with a 500, every list, card, report
and print that values them (stock items, receipts' documents, events and their ROI)."""

from __future__ import annotations

import pytest

from crm.marketing.models import EventExpense, MarketingEvent, StockMovement, StockReceipt
from tests.conftest import client_for
from tests.marketing.helpers import item, receive

BIG = "999999999999.99"  # the largest amount a money field holds


@pytest.mark.django_db
def test_event_expenses_adding_up_past_an_amount_are_refused(admin):
    api = client_for(admin)
    made = api.post("/api/v1/marketing-events/", {"name": "工博会", "type": "exhibition"})
    assert made.status_code == 201, made.content
    pk = made.json()["id"]
    rows = [{"description": f"展位{i}", "amount": BIG} for i in range(3)]
    refused = api.patch(f"/api/v1/marketing-events/{pk}/", {"expenses": rows}, format="json")
    assert refused.status_code == 400, refused.content
    assert list(refused.json()["fields"]) == ["expenses"]
    assert not EventExpense.objects.exists()
    assert api.get(f"/api/v1/marketing-events/{pk}/").status_code == 200
    assert api.get("/api/v1/marketing-events/roi/").status_code == 200

    created = api.post(
        "/api/v1/marketing-events/",
        {"name": "路演", "type": "exhibition", "expenses": rows},
        format="json",
    )
    assert created.status_code == 400 and "expenses" in created.json()["fields"]
    assert MarketingEvent.objects.count() == 1

    fits = [{"description": "展位", "amount": BIG}]
    assert (
        api.patch(f"/api/v1/marketing-events/{pk}/", {"expenses": fits}, format="json").status_code
        == 200
    )


@pytest.mark.django_db
def test_a_receipt_worth_more_than_an_amount_is_refused(admin):
    api = client_for(admin)
    it = item(admin, cost=BIG)
    body = {"lines": [{"item": it.pk, "quantity": "9999999999.99"}]}
    refused = api.post("/api/v1/stock-receipts/", body, format="json")
    assert refused.status_code == 400, refused.content
    assert list(refused.json()["fields"]) == ["lines"]
    assert not StockReceipt.objects.exists()
    many = {"lines": [{"item": it.pk, "quantity": "1"}] * 2}
    refused = api.post("/api/v1/stock-receipts/", many, format="json")
    assert refused.status_code == 400 and "lines" in refused.json()["fields"]


@pytest.mark.django_db
def test_stock_on_hand_worth_more_than_an_amount_is_refused_and_lists_keep_working(admin):
    api = client_for(admin)
    it = item(admin, cost="600000000000.00")
    receive(admin, [(it, 1)])
    second = api.post(
        "/api/v1/stock-receipts/", {"lines": [{"item": it.pk, "quantity": "1"}]}, format="json"
    )
    assert second.status_code == 201, second.content
    pk = second.json()["id"]
    refused = api.post(f"/api/v1/stock-receipts/{pk}/transitions/confirm/", {}, format="json")
    assert refused.status_code == 400, refused.content
    assert refused.json()["code"] == "guard_failed"
    assert "礼品A" in refused.json()["reasons"][0]
    assert StockMovement.objects.count() == 1
    assert StockReceipt.objects.get(pk=pk).status == "draft"

    assert api.get("/api/v1/stock-items/").status_code == 200
    assert api.get(f"/api/v1/stock-items/{it.pk}/").status_code == 200


@pytest.mark.django_db
def test_a_unit_cost_making_the_stock_worth_more_than_an_amount_is_refused(admin):
    api = client_for(admin)
    it = item(admin, cost="1.00", stock=10)
    refused = api.patch(f"/api/v1/stock-items/{it.pk}/", {"unit_cost": BIG}, format="json")
    assert refused.status_code == 400, refused.content
    assert list(refused.json()["fields"]) == ["unit_cost"]
    it.refresh_from_db()
    assert str(it.unit_cost) == "1.00"
    assert api.get("/api/v1/stock-items/").status_code == 200
