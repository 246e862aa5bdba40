"""Issue 3's 'done when', as one path through the real API.

A rep converts a lead, moves the opportunity to proposal, issues quote v1,
revises to v2, gets it approved and sent, wins the deal with a contract a
manager approves, records two installment payments (one reversed and
re-entered), completes the contract; the funnel and aging reports show the
right figures.
"""

import datetime as dt

import pytest

from tests.sales.factories import client_for


def ok(response, status=200):
    assert response.status_code == status, response.content
    return response.json()


@pytest.mark.django_db
def test_lead_to_completed_contract_through_the_api(admin, sales_team, rep):
    manager = sales_team.leader
    as_rep, as_manager, as_admin = client_for(rep), client_for(manager), client_for(admin)

    # Products (the admin keeps the catalog).
    std = ok(
        as_admin.post(
            "/api/v1/products/",
            {"code": "CRM-STD", "name": "CRM 标准版", "unit": "套", "price": "2000.00"},
            format="json",
        ),
        201,
    )
    svc = ok(
        as_admin.post(
            "/api/v1/products/",
            {"code": "IMPL", "name": "实施服务", "unit": "项", "price": "3333.33"},
            format="json",
        ),
        201,
    )

    # 1. The rep converts a lead: customer + contact + opportunity (+ its requirement).
    lead = ok(
        as_rep.post(
            "/api/v1/leads/",
            {
                "company_name": "杭州数智科技",
                "contact_name": "周敏",
                "mobile": "13912345678",
                "need": "销售团队 10 人的 CRM",
            },
            format="json",
        ),
        201,
    )
    ok(
        as_rep.post(
            "/api/v1/activities/",
            {"kind": "call", "subject": "首次电话", "lead": lead["id"]},
            format="json",
        ),
        201,
    )
    for step in ("contact", "qualify", "convert"):
        ok(as_rep.post(f"/api/v1/leads/{lead['id']}/transitions/{step}/", {}, format="json"))
    opps = ok(as_rep.get(f"/api/v1/opportunities/?lead={lead['id']}"))
    assert opps["count"] == 1
    opp = opps["results"][0]
    assert opp["status"] == "initial" and opp["owner"] == rep.pk
    assert opp["contact_name"] == "周敏"
    assert opp["probability"] == 10

    # 2. Move it to proposal (the lead's need became its first requirement).
    reqs = ok(as_rep.get(f"/api/v1/requirements/?opportunity={opp['id']}"))
    assert reqs["count"] == 1
    for stage in ("needs_defined", "proposal"):
        moved = ok(
            as_rep.post(
                f"/api/v1/opportunities/{opp['id']}/transitions/{stage}/", {}, format="json"
            )
        )
    assert moved["status"] == "proposal" and moved["probability"] == 50

    # 3. Quote v1: 10 x 2000.00 less 5% = 19000.00; submitted, approved, sent.
    v1 = ok(
        as_rep.post(
            "/api/v1/quotes/",
            {
                "opportunity": opp["id"],
                "lines": [{"product": std["id"], "quantity": "10", "discount_percent": "5"}],
            },
            format="json",
        ),
        201,
    )
    assert (v1["version"], v1["total"], v1["lines"][0]["unit_price"]) == (1, "19000.00", "2000.00")
    ok(as_rep.post(f"/api/v1/quotes/{v1['id']}/transitions/submit/", {}, format="json"))
    denied = as_rep.post(f"/api/v1/quotes/{v1['id']}/transitions/approve/", {}, format="json")
    assert denied.status_code == 403  # reps never approve
    ok(as_manager.post(f"/api/v1/quotes/{v1['id']}/transitions/approve/", {}, format="json"))
    ok(as_rep.post(f"/api/v1/quotes/{v1['id']}/transitions/send/", {}, format="json"))

    # 4. The customer wants implementation: revise to v2 (lines copied), edit, approve, send.
    ok(as_rep.post(f"/api/v1/quotes/{v1['id']}/transitions/revise/", {}, format="json"))
    versions = ok(as_rep.get(f"/api/v1/opportunities/{opp['id']}/"))["quotes"]
    assert [(q["version"], q["status"]) for q in versions] == [(2, "draft"), (1, "sent")]
    v2_id = versions[0]["id"]
    v2 = ok(
        as_rep.patch(
            f"/api/v1/quotes/{v2_id}/",
            {
                "lines": [
                    {"product": std["id"], "quantity": "10", "discount_percent": "10"},
                    {"product": svc["id"], "quantity": "1"},
                ]
            },
            format="json",
        )
    )
    assert v2["total"] == "21333.33"  # 18000.00 + 3333.33
    assert v2["subtotal"] == "23333.33"
    ok(as_rep.post(f"/api/v1/quotes/{v2_id}/transitions/submit/", {}, format="json"))
    ok(as_manager.post(f"/api/v1/quotes/{v2_id}/transitions/approve/", {}, format="json"))
    frozen = as_rep.patch(f"/api/v1/quotes/{v2_id}/", {"note": "x"}, format="json")
    assert frozen.status_code == 409 and frozen.json()["code"] == "frozen"
    ok(as_rep.post(f"/api/v1/quotes/{v2_id}/transitions/send/", {}, format="json"))
    ok(as_rep.post(f"/api/v1/quotes/{v2_id}/transitions/accept/", {}, format="json"))
    ok(as_rep.patch(f"/api/v1/opportunities/{opp['id']}/", {"amount": "21333.33"}, format="json"))
    ok(
        as_rep.post(
            f"/api/v1/opportunities/{opp['id']}/transitions/negotiation/", {}, format="json"
        )
    )

    # 5. The contract from quote v2 (lines copied), plan 10000.00 + 11333.33.
    contract = ok(
        as_rep.post(
            "/api/v1/contracts/",
            {
                "opportunity": opp["id"],
                "quote": v2_id,
                "start_date": "2025-01-01",
                "end_date": "2025-12-31",
                "installments": [
                    {"due_date": "2025-02-28", "amount": "10000.00"},
                    {"due_date": "2025-04-30", "amount": "11333.33"},
                ],
            },
            format="json",
        ),
        201,
    )
    assert contract["number"].startswith("HT") and contract["amount"] == "21333.33"
    assert len(contract["lines"]) == 2
    cid = contract["id"]
    ok(as_rep.post(f"/api/v1/contracts/{cid}/transitions/submit/", {}, format="json"))
    detail = ok(as_manager.get(f"/api/v1/contracts/{cid}/"))
    assert detail["approval_permission"] == "sales.contract.approve"
    assert {t["name"]: t["allowed"] for t in detail["transitions"]}["approve"] is True
    ok(as_manager.post(f"/api/v1/contracts/{cid}/transitions/approve/", {}, format="json"))
    ok(as_rep.post(f"/api/v1/contracts/{cid}/transitions/sign/", {}, format="json"))
    won = ok(as_rep.post(f"/api/v1/opportunities/{opp['id']}/transitions/won/", {}, format="json"))
    assert won["status"] == "won" and won["probability"] == 100

    # 6. Payments: installment 1 entered wrongly, reversed and re-entered; installment 2.
    inst1, inst2 = (i["id"] for i in ok(as_rep.get(f"/api/v1/contracts/{cid}/"))["installments"])

    def pay(installment, amount, paid_at):
        p = ok(
            as_rep.post(
                "/api/v1/payments/",
                {"installment": installment, "amount": amount, "paid_at": paid_at},
                format="json",
            ),
            201,
        )
        return ok(
            as_rep.post(f"/api/v1/payments/{p['id']}/transitions/confirm/", {}, format="json")
        )

    wrong = pay(inst1, "1000.00", "2025-02-27")
    reversed_ = ok(
        as_rep.post(
            f"/api/v1/payments/{wrong['id']}/transitions/reverse/",
            {"reason": "金额录错"},
            format="json",
        )
    )
    assert reversed_["status"] == "reversed" and reversed_["reversed_by"]
    assert ok(as_rep.get(f"/api/v1/contracts/{cid}/"))["collected_amount"] == "0.00"
    pay(inst1, "10000.00", "2025-02-27")

    # Aging on 2025-06-09 (40 days after installment 2 was due): 11333.33 in 31-60.
    aging = ok(as_manager.get("/api/v1/reports/receivables-aging/?as_of=2025-06-09"))
    assert aging["totals"]["days_31_60"] == "11333.33"
    assert aging["totals"]["total"] == "11333.33"
    assert aging["rows"][0]["customer_name"] == "杭州数智科技"
    assert aging["rows"][0]["owner_name"] == "李销售"

    blocked = as_rep.post(f"/api/v1/contracts/{cid}/transitions/complete/", {}, format="json")
    assert blocked.status_code == 400
    assert "10000.00 of 21333.33" in blocked.json()["reasons"][0] or blocked.json()["reasons"]
    pay(inst2, "11333.33", "2025-04-30")
    payments = ok(as_rep.get(f"/api/v1/payments/?contract={cid}"))
    assert sorted(p["amount"] for p in payments["results"]) == sorted(
        ["1000.00", "-1000.00", "10000.00", "11333.33"]
    )
    done = ok(as_rep.post(f"/api/v1/contracts/{cid}/transitions/complete/", {}, format="json"))
    assert (done["status"], done["collected_amount"]) == ("completed", "21333.33")

    # 7. Reports.
    today = dt.date.today().isoformat()
    funnel = ok(as_manager.get(f"/api/v1/reports/funnel/?date_from={today}&date_to={today}"))
    won_row = next(s for s in funnel["stages"] if s["status"] == "won")
    assert (won_row["count"], won_row["amount"], won_row["weighted_amount"]) == (
        1,
        "21333.33",
        "21333.33",
    )
    assert [s["conversion_rate"] for s in funnel["stages"] if "conversion_rate" in s] == [
        "100.00"
    ] * 4
    assert funnel["totals"]["win_rate"] == "100.00"
    aging = ok(as_manager.get("/api/v1/reports/receivables-aging/?as_of=2025-06-09"))
    assert aging["rows"] == [] and aging["totals"]["total"] == "0.00"
    by_owner = ok(as_manager.get("/api/v1/reports/won-by-owner/"))
    assert by_owner["rows"] == [
        {
            "owner": rep.pk,
            "owner_name": "李销售",
            "month": dt.date.today().strftime("%Y-%m"),
            "count": 1,
            "amount": "21333.33",
        }
    ]
