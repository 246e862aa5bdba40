"""The quote process: paths, guards, versions, totals, and approved = frozen."""

from decimal import Decimal

import pytest

from crm.core.errors import Frozen, GuardFailed, Invalid, InvalidTransition, PermissionRefused
from crm.sales import services
from crm.sales.models import Quote, QuoteLine
from tests.sales import factories as f
from tests.sales.factories import D, client_for


@pytest.fixture
def manager(sales_team):
    return sales_team.leader


@pytest.fixture
def opp(rep):
    return f.to_proposal(f.opportunity(rep), rep)


def test_totals_are_exact_decimals_with_half_up_rounding(rep, opp):
    prod = f.product(rep, price="0.00")
    q = services.quote_create(
        tenant=rep.tenant,
        actor=rep,
        opportunity=opp,
        lines=f.lines(
            prod,
            (3, "33.33", "0"),  # 99.99
            (1, "10.05", "50"),  # 5.025 -> 5.03 (half-up; half-even would give 5.02)
            ("2.5", "19.99", "12.5"),  # 49.975 * 0.875 = 43.728125 -> 43.73
        ),
    )
    amounts = list(q.lines.values_list("amount", flat=True))
    assert amounts == [D("99.99"), D("5.03"), D("43.73")]
    assert q.subtotal == D("99.99") + D("10.05") + D("49.98")  # 49.975 -> 49.98
    assert q.total == D("148.75")
    assert isinstance(q.total, Decimal)


def test_unit_price_defaults_to_the_list_price(rep, opp):
    prod = f.product(rep, price="1999.99")
    q = services.quote_create(
        tenant=rep.tenant,
        actor=rep,
        opportunity=opp,
        lines=[{"product": prod, "quantity": D(2), "discount_percent": D(0)}],
    )
    assert q.total == D("3999.98")


def test_line_validation_reports_each_line(rep, opp, other_admin):
    foreign = f.product(other_admin, code="X")
    prod = f.product(rep)
    with pytest.raises(Invalid) as err:
        services.quote_create(
            tenant=rep.tenant,
            actor=rep,
            opportunity=opp,
            lines=[
                {"product": foreign, "quantity": D(1)},
                {"product": prod, "quantity": D(0)},
                {"product": prod, "quantity": D(1), "discount_percent": D(101)},
            ],
        )
    assert err.value.fields["lines"] == [
        "Line 1: choose a product.",
        "Line 2: the quantity must be greater than zero.",
        "Line 3: the discount must be between 0 and 100%.",
    ]


def test_every_path_and_guard(rep, manager, opp):
    q = services.quote_create(tenant=rep.tenant, actor=rep, opportunity=opp, lines=[])
    with pytest.raises(GuardFailed) as err:
        f.move(q, "submit", rep)
    assert err.value.reasons == [
        "Add at least one line to the quote.",
        "The quote total must be greater than zero.",
    ]
    q = services.quote_update(
        q, tenant=rep.tenant, actor=rep, lines=f.lines(f.product(rep), (1, 5, 0))
    )
    q = f.move(q, "submit", rep)
    # submitted -> draft (returned with a reason)
    with pytest.raises(GuardFailed) as err:
        f.move(q, "return", manager)
    assert err.value.reasons == ["Give the reason for returning the quote."]
    q = f.move(q, "return", manager, reason="折扣太低")
    assert (q.status, q.return_reason) == ("draft", "折扣太低")
    q = f.move(q, "submit", rep)
    assert q.return_reason == ""
    q = f.move(q, "approve", manager)
    assert (q.status, q.approved_by) == ("approved", manager)
    for name in ("accept", "reject", "return", "submit"):
        with pytest.raises(InvalidTransition):
            f.move(q, name, manager)
    q = f.move(q, "send", rep)
    with pytest.raises(GuardFailed) as err:
        f.move(q, "reject", rep)
    assert err.value.reasons == ["Give the reason the customer rejected the quote."]
    rejected = f.move(q, "reject", rep, reason="预算不足")
    assert (rejected.status, rejected.reject_reason) == ("rejected", "预算不足")


def test_accept_path(rep, manager, opp):
    q = f.sent_quote(opp, rep, manager)
    assert f.move(q, "accept", rep).status == "accepted"


def test_no_self_approval_and_reps_cannot_approve(rep, manager, admin, opp):
    q = f.move(f.quote(opp, manager), "submit", manager)
    with pytest.raises(GuardFailed) as err:
        f.move(q, "approve", manager)
    assert err.value.reasons == ["You cannot approve a quote you prepared or submitted yourself."]
    q2 = f.move(f.quote(f.to_proposal(f.opportunity(rep), rep), rep), "submit", rep)
    with pytest.raises(PermissionRefused):
        f.move(q2, "approve", rep)
    assert f.move(q, "approve", admin).status == "approved"


def test_submit_and_send_need_an_open_opportunity(rep, manager, opp):
    q = f.move(f.quote(opp, rep), "submit", rep)
    q = f.move(q, "approve", manager)
    f.move(opp, "lost", rep, reason="price")
    with pytest.raises(GuardFailed) as err:
        f.move(q, "send", rep)
    assert err.value.reasons == ["The opportunity is closed."]


def test_revise_creates_versions_with_copied_lines(rep, manager, opp):
    v1 = f.sent_quote(opp, rep, manager, specs=((2, "100.00", "10"), (1, "50.00", "0")))
    v1_after = f.move(v1, "revise", rep)
    assert v1_after.status == "sent" and v1_after.is_latest is False
    v2 = Quote.objects.get(opportunity=opp, number=2)
    assert (v2.status, v2.is_latest, v2.revised_from_id, v2.total) == (
        "draft",
        True,
        v1.pk,
        D("230.00"),
    )
    assert list(
        v2.lines.values_list("quantity", "unit_price", "discount_percent", "amount")
    ) == list(v1.lines.values_list("quantity", "unit_price", "discount_percent", "amount"))
    with pytest.raises(GuardFailed) as err:
        f.move(v1_after, "revise", rep)
    assert err.value.reasons == ["Only the latest version (v2) can be revised."]
    with pytest.raises(InvalidTransition):
        f.move(v2, "revise", rep)  # a draft is edited, not revised
    v2 = f.move(f.move(v2, "submit", rep), "approve", manager)
    f.move(v2, "revise", rep)
    assert list(
        Quote.objects.filter(opportunity=opp).order_by("number").values_list("number", "status")
    ) == [
        (1, "sent"),
        (2, "approved"),
        (3, "draft"),
    ]
    listed = client_for(rep).get(f"/api/v1/quotes/?opportunity={opp.pk}").json()
    assert listed["count"] == 3
    # Deleting the draft v3 makes v2 the latest again (a derived field of a frozen row).
    services.quote_delete(
        Quote.objects.get(number=3, opportunity=opp), tenant=rep.tenant, actor=rep
    )
    assert Quote.objects.get(pk=v2.pk).is_latest is True


def test_one_first_quote_per_opportunity(rep, opp):
    f.quote(opp, rep)
    with pytest.raises(Invalid) as err:
        f.quote(opp, rep)
    assert "revise" in err.value.fields["opportunity"][0]


# --- approved = frozen, in every layer -----------------------------------------------


@pytest.fixture
def approved(rep, manager, opp):
    q = f.move(f.quote(opp, rep), "submit", rep)
    return f.move(q, "approve", manager)


def test_frozen_in_the_service_layer(rep, approved):
    with pytest.raises(Frozen) as err:
        services.quote_update(approved, tenant=rep.tenant, actor=rep, note="改一下")
    assert str(err.value.detail) == (
        "An approved quote cannot be changed; revise it to make a new version."
    )
    with pytest.raises(Frozen):
        services.quote_delete(approved, tenant=rep.tenant, actor=rep)


def test_frozen_at_the_model_layer(approved):
    stale = Quote.objects.get(pk=approved.pk)
    stale.note = "bypass"
    with pytest.raises(Frozen):
        stale.save()
    with pytest.raises(Frozen):
        stale.delete()
    line = QuoteLine.objects.get(quote=approved)
    line.unit_price = D("0.01")
    with pytest.raises(Frozen):
        line.save()
    with pytest.raises(Frozen):
        line.delete()
    with pytest.raises(Frozen):
        QuoteLine.objects.create(
            tenant=approved.tenant, quote=approved, product=line.product, quantity=1
        )
    assert Quote.objects.get(pk=approved.pk).note == ""


def test_frozen_through_the_api(admin, approved):
    api = client_for(admin)
    for method, body in (("patch", {"note": "x"}), ("put", {"lines": []}), ("delete", None)):
        response = getattr(api, method)(f"/api/v1/quotes/{approved.pk}/", body, format="json")
        assert response.status_code == 409, response.content
        assert response.json()["code"] == "frozen"
    assert Quote.objects.get(pk=approved.pk).lines.count() == 1


def test_submitted_quotes_are_locked_too(rep, opp):
    q = f.move(f.quote(opp, rep), "submit", rep)
    response = client_for(rep).patch(f"/api/v1/quotes/{q.pk}/", {"note": "x"}, format="json")
    assert response.status_code == 409
    assert (
        response.json()["detail"] == "Only a draft quote can be changed; return it to draft first."
    )


def test_frozen_in_the_admin(approved, django_user_model, client):
    operator = django_user_model.objects.create_superuser("op", "op@example.cn", "x")
    client.force_login(operator)
    url = f"/admin/sales/quote/{approved.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    assert b'name="note"' not in page.content  # read-only: no input
    posted = client.post(url, {"note": "admin edit"})
    assert posted.status_code == 403
    assert (
        client.post(f"/admin/sales/quote/{approved.pk}/delete/", {"post": "yes"}).status_code == 403
    )
    assert Quote.objects.filter(pk=approved.pk, note="").exists()


def test_drafts_edit_in_the_admin_through_the_service(rep, opp, django_user_model, client):
    q = f.quote(opp, rep)
    operator = django_user_model.objects.create_superuser("op2", "op2@example.cn", "x")
    client.force_login(operator)
    url = f"/admin/sales/quote/{q.pk}/change/"
    posted = client.post(
        url,
        {
            "valid_until": "2025-12-31",
            "note": "admin note",
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "1",
            "lines-MIN_NUM_FORMS": "0",
            "lines-MAX_NUM_FORMS": "1000",
            "lines-0-id": str(q.lines.get().pk),
            "lines-0-quote": str(q.pk),
        },
    )
    assert posted.status_code == 302, posted.content[:2000]
    fresh = Quote.objects.get(pk=q.pk)
    assert (fresh.note, fresh.version) == ("admin note", 2)


def test_engine_transition_saves_pass_the_freeze(rep, manager, approved):
    sent = f.move(approved, "send", rep)
    assert Quote.objects.get(pk=sent.pk).status == "sent"


def test_a_draft_v1_may_move_to_another_open_opportunity_only(rep, manager, opp):
    q = f.quote(opp, rep)
    other = f.opportunity(rep, name="另一个机会")
    moved = client_for(rep).patch(
        f"/api/v1/quotes/{q.pk}/", {"opportunity": other.pk}, format="json"
    )
    assert moved.status_code == 200 and moved.json()["opportunity"] == other.pk
    taken = f.quote(opp, rep)
    refused = client_for(rep).patch(
        f"/api/v1/quotes/{taken.pk}/", {"opportunity": other.pk}, format="json"
    )
    assert refused.status_code == 400
    assert "revise" in refused.json()["fields"]["opportunity"][0]
    v1 = f.move(f.move(Quote.objects.get(pk=q.pk), "submit", rep), "approve", manager)
    f.move(v1, "revise", rep)
    v2 = Quote.objects.get(opportunity=other, number=2)
    third = f.opportunity(rep, name="第三个机会")
    with pytest.raises(Invalid) as err:
        services.quote_update(v2, tenant=rep.tenant, actor=rep, opportunity=third)
    assert err.value.fields["opportunity"] == ["A revised quote stays with its opportunity."]
