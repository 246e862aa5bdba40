"""The Lead process through the API: every transition, guard, permission and state."""

from __future__ import annotations

import pytest
from django.utils import translation

from crm.core import services as core
from crm.customers.models import Contact, Customer, Lead
from crm.customers.services import contact_create, customer_create
from tests.conftest import client_for, make_user
from tests.customers.leads import lead_in_state, log_call, new_lead, role_without
from workflows.models import TransitionLog

pytestmark = pytest.mark.django_db

REASON_ACTIVITY = "Log a call, visit or other activity with this lead first."
REASON_CONTACT_INFO = "Enter a mobile number or an e-mail address first."
REASON_NEED = "Describe the lead's need first."
REASON_DISQUALIFY = "Give the reason for disqualifying."
REASON_NO_TARGET = "The customer to convert into does not exist."
REASON_NO_PERMISSION = "You do not have permission for this step."


def post(client, lead_id, step, body=None, lang="en", **headers):
    url = f"/api/v1/leads/{lead_id}/transitions/{step}/"
    if lang:
        url += f"?lang={lang}"
    return client.post(url, body or {}, format="json", **headers)


def transitions_of(client, lead_id, lang="en") -> dict[str, dict]:
    response = client.get(f"/api/v1/leads/{lead_id}/?lang={lang}")
    assert response.status_code == 200, response.content
    return {t["name"]: t for t in response.json()["transitions"]}


def test_lead_created_through_the_api_is_new_and_owned_by_its_creator(api, admin):
    response = api.post(
        "/api/v1/leads/",
        {"company_name": "北京科技", "mobile": "13812345678", "need": "CRM"},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "new"
    assert body["owner"] == admin.pk
    assert body["mobile"] == "+8613812345678"
    assert body["version"] == 1


def test_lead_requires_a_company_name(api):
    response = api.post("/api/v1/leads/?lang=en", {"company_name": "  "}, format="json")
    assert response.status_code == 400
    assert "company_name" in response.json()["fields"]


# --- the allowed path ------------------------------------------------------------


def test_full_path_new_contacted_qualified_converted(api, admin):
    lead = new_lead(admin, credit_code="91350100M000100Y43", email="zs@example.cn")
    assert transitions_of(api, lead.pk)["contact"]["allowed"] is False
    log_call(lead, admin)
    assert transitions_of(api, lead.pk)["contact"] == {
        "name": "contact",
        "label": "Mark contacted",
        "allowed": True,
        "reasons": [],
        "irreversible": False,
        "inputs": [],
    }
    for step, state in [("contact", "contacted"), ("qualify", "qualified")]:
        response = post(api, lead.pk, step, {"comment": f"{step} ok"})
        assert response.status_code == 200, response.content
        assert response.json()["status"] == state
    convert = transitions_of(api, lead.pk)["convert"]
    assert convert["allowed"] and convert["irreversible"]

    response = post(api, lead.pk, "convert")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "converted"
    assert body["transitions"] == []  # a final state
    customer = Customer.objects.get(pk=body["customer"])
    assert customer.name == lead.company_name
    assert customer.credit_code == "91350100M000100Y43"
    assert customer.owner == admin
    contact = Contact.objects.get(customer=customer)
    assert (contact.name, contact.mobile, contact.email) == ("张三", lead.mobile, "zs@example.cn")
    logs = TransitionLog.objects.filter(object_id=lead.pk, process="lead").order_by("id")
    assert [(log.transition, log.source, log.target, log.actor_id) for log in logs] == [
        ("contact", "new", "contacted", admin.pk),
        ("qualify", "contacted", "qualified", admin.pk),
        ("convert", "qualified", "converted", admin.pk),
    ]
    assert logs[0].comment == "contact ok"
    lead.refresh_from_db()
    assert lead.version == 4


def test_disqualify_needs_a_reason_and_records_it(api, admin):
    lead = new_lead(admin)
    inputs = transitions_of(api, lead.pk)["disqualify"]["inputs"]
    assert [(i["name"], i["required"]) for i in inputs] == [("reason", True)]
    for body in ({}, {"reason": "   "}):
        response = post(api, lead.pk, "disqualify", body)
        assert response.status_code == 400
        assert response.json() == {
            "code": "guard_failed",
            "detail": "This step is not allowed yet.",
            "reasons": [REASON_DISQUALIFY],
        }
    response = post(api, lead.pk, "disqualify", {"reason": " 没有需求 "})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "disqualified"
    assert response.json()["disqualify_reason"] == "没有需求"


@pytest.mark.parametrize("state", ["new", "contacted", "qualified"])
def test_disqualify_and_pool_from_every_open_state(api, admin, state):
    lead = lead_in_state(admin, state)
    assert post(api, lead.pk, "disqualify", {"reason": "无效"}).json()["status"] == "disqualified"
    other = lead_in_state(admin, state, company_name="另一家线索公司")
    response = post(api, other.pk, "pool")
    assert response.status_code == 200, response.content
    other.refresh_from_db()
    assert (other.status, other.owner_id, other.owned_since) == ("pooled", None, None)
    assert other.pooled_at is not None


def test_pool_and_claim(api, admin, rep):
    lead = new_lead(admin)
    assert post(api, lead.pk, "pool").status_code == 200
    rep_api = client_for(rep)
    pool = rep_api.get("/api/v1/leads/?pool=true").json()
    assert [row["id"] for row in pool["results"]] == [lead.pk]
    assert pool["results"][0]["owner"] is None
    assert transitions_of(rep_api, lead.pk)["claim"]["allowed"] is True

    response = post(rep_api, lead.pk, "claim")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "new"
    assert response.json()["owner"] == rep.pk
    lead.refresh_from_db()
    assert lead.owned_since is not None and lead.pooled_at is None
    # the pool no longer lists it; the rep's own list does
    assert rep_api.get("/api/v1/leads/?pool=true").json()["count"] == 0
    assert [r["id"] for r in rep_api.get("/api/v1/leads/").json()["results"]] == [lead.pk]


def test_claim_respects_the_daily_claim_cap(api, admin, rep):
    core.tenant_settings_update(tenant=admin.tenant, actor=admin, daily_claim_cap=2)
    leads = [lead_in_state(admin, "pooled", company_name=f"公海线索{i}") for i in range(3)]
    rep_api = client_for(rep)
    for lead in leads[:2]:
        assert post(rep_api, lead.pk, "claim").status_code == 200
    assert transitions_of(rep_api, leads[2].pk)["claim"]["reasons"] == [
        "You have claimed 2 leads today, the daily limit."
    ]
    response = post(rep_api, leads[2].pk, "claim")
    assert response.status_code == 400
    assert response.json()["reasons"] == ["You have claimed 2 leads today, the daily limit."]
    # another user has their own allowance
    assert post(api, leads[2].pk, "claim").status_code == 200


def test_claim_cap_zero_blocks_everyone(api, admin):
    core.tenant_settings_update(tenant=admin.tenant, actor=admin, daily_claim_cap=0)
    lead = lead_in_state(admin, "pooled")
    response = post(api, lead.pk, "claim")
    assert response.status_code == 400
    assert response.json()["reasons"] == ["You have claimed 0 leads today, the daily limit."]


# --- guards ------------------------------------------------------------------------


def test_contact_needs_a_logged_activity(api, admin):
    lead = new_lead(admin)
    assert transitions_of(api, lead.pk)["contact"]["reasons"] == [REASON_ACTIVITY]
    response = post(api, lead.pk, "contact")
    assert response.status_code == 400
    assert response.json()["code"] == "guard_failed"
    assert response.json()["reasons"] == [REASON_ACTIVITY]
    lead.refresh_from_db()
    assert lead.status == "new" and lead.version == 1


def test_qualify_needs_phone_or_email_and_a_need(api, admin):
    lead = lead_in_state(admin, "contacted", mobile="", email="", need="  ")
    assert transitions_of(api, lead.pk)["qualify"]["reasons"] == [REASON_CONTACT_INFO, REASON_NEED]
    response = post(api, lead.pk, "qualify")
    assert response.status_code == 400
    assert response.json()["reasons"] == [REASON_CONTACT_INFO, REASON_NEED]

    assert (
        api.patch(f"/api/v1/leads/{lead.pk}/", {"email": "a@b.cn"}, format="json").status_code
        == 200
    )
    assert post(api, lead.pk, "qualify").json()["reasons"] == [REASON_NEED]
    assert (
        api.patch(f"/api/v1/leads/{lead.pk}/", {"need": "采购"}, format="json").status_code == 200
    )
    assert post(api, lead.pk, "qualify").json()["status"] == "qualified"


def test_qualify_accepts_an_email_without_a_mobile(api, admin):
    lead = lead_in_state(admin, "contacted", mobile="", email="x@y.cn")
    assert post(api, lead.pk, "qualify").status_code == 200


@pytest.mark.parametrize(
    ("customer", "lead_data", "field"),
    [
        (
            {"name": "完全不同的名字", "credit_code": "91350100M000100Y43"},
            {"credit_code": "91350100M000100Y43", "mobile": ""},
            "unified social credit code",
        ),
        (
            {"name": "别的客户", "phone": "+8613900001111"},
            {"mobile": "+8613900001111"},
            "mobile number",
        ),
        ({"name": "上海测试科技有限公司"}, {"mobile": ""}, "name"),
    ],
    ids=["credit_code", "mobile", "name"],
)
def test_convert_refuses_a_duplicate_customer_naming_it(api, admin, customer, lead_data, field):
    existing = customer_create(tenant=admin.tenant, actor=admin, **customer)
    lead = lead_in_state(admin, "qualified", email="a@b.cn", **lead_data)
    expected = (
        f"A customer with the same {field} already exists: “{existing.name}” (#{existing.pk}). "
        "Convert into that customer or change the lead."
    )
    assert transitions_of(api, lead.pk)["convert"]["reasons"] == [expected]
    response = post(api, lead.pk, "convert")
    assert response.status_code == 400
    assert response.json()["reasons"] == [expected]
    assert Customer.objects.filter(tenant=admin.tenant).count() == 1
    lead.refresh_from_db()
    assert lead.status == "qualified" and lead.customer_id is None


def test_convert_detects_a_duplicate_by_a_contacts_mobile(api, admin):
    existing = customer_create(tenant=admin.tenant, actor=admin, name="已有客户")
    contact_create(
        tenant=admin.tenant, actor=admin, customer=existing, name="李四", mobile="+8613700001111"
    )
    lead = lead_in_state(admin, "qualified", mobile="+8613700001111")
    reasons = post(api, lead.pk, "convert").json()["reasons"]
    assert reasons and "mobile number" in reasons[0] and f"#{existing.pk}" in reasons[0]


def test_convert_detects_a_customer_phone_typed_without_the_country_code(api, admin):
    response = api.post(
        "/api/v1/customers/", {"name": "电话客户", "phone": "138-1234-5678"}, format="json"
    )
    assert response.status_code == 201, response.content
    lead = lead_in_state(admin, "qualified", mobile="+8613812345678")
    reasons = post(api, lead.pk, "convert").json().get("reasons")
    assert reasons and "mobile number" in reasons[0] and "电话客户" in reasons[0]


def test_convert_into_an_existing_customer(api, admin):
    existing = customer_create(tenant=admin.tenant, actor=admin, name="上海测试科技有限公司")
    lead = lead_in_state(admin, "qualified")
    response = post(api, lead.pk, "convert", {"customer": existing.pk})
    assert response.status_code == 200, response.content
    assert response.json()["customer"] == existing.pk
    assert Customer.objects.filter(tenant=admin.tenant).count() == 1
    contact = Contact.objects.get(customer=existing)
    assert (contact.name, contact.mobile) == ("张三", lead.mobile)
    # the audit of the transition records the merge target
    history = api.get(f"/api/v1/leads/{lead.pk}/history/").json()
    assert history[0]["action"] == "convert"


def test_convert_into_an_existing_customer_does_not_duplicate_its_contact(api, admin):
    existing = customer_create(tenant=admin.tenant, actor=admin, name="老客户")
    contact_create(
        tenant=admin.tenant, actor=admin, customer=existing, name="张三", mobile="+8613812345678"
    )
    lead = lead_in_state(admin, "qualified")
    assert post(api, lead.pk, "convert", {"customer": existing.pk}).status_code == 200
    assert Contact.objects.filter(customer=existing).count() == 1


def test_convert_into_a_missing_or_foreign_customer_is_refused(api, admin, other_admin):
    theirs = customer_create(tenant=other_admin.tenant, actor=other_admin, name="别家客户")
    lead = lead_in_state(admin, "qualified")
    for target in (theirs.pk, 987654321):
        response = post(api, lead.pk, "convert", {"customer": target})
        assert response.status_code == 400
        assert response.json()["reasons"] == [REASON_NO_TARGET]
    response = post(api, lead.pk, "convert", {"customer": "abc"})
    assert response.status_code == 400
    assert "customer" in response.json()["fields"]
    lead.refresh_from_db()
    assert lead.status == "qualified"
    assert not Lead.objects.filter(customer=theirs).exists()


def test_convert_creates_customer_and_contact_in_one_transaction(api, admin, monkeypatch):
    from crm.customers import services

    def broken_contact_create(**kwargs):
        raise RuntimeError("contact storage down")

    monkeypatch.setattr(services, "contact_create", broken_contact_create)
    lead = lead_in_state(admin, "qualified")
    api.raise_request_exception = True
    with pytest.raises(RuntimeError):
        post(api, lead.pk, "convert")
    assert not Customer.objects.filter(tenant=admin.tenant).exists()
    lead.refresh_from_db()
    assert (lead.status, lead.customer_id, lead.version) == ("qualified", None, 3)
    assert not TransitionLog.objects.filter(object_id=lead.pk, transition="convert").exists()


# --- permissions and states ----------------------------------------------------------

STEP_STATE = {
    "contact": "new",
    "qualify": "contacted",
    "convert": "qualified",
    "disqualify": "new",
    "pool": "new",
    "claim": "pooled",
}


@pytest.mark.parametrize("step", list(STEP_STATE))
def test_a_role_without_the_transition_code_gets_403(admin, step):
    user = make_user(admin, role_without(admin, f"transition:lead.{step}").name)
    lead = lead_in_state(admin, STEP_STATE[step], owner=None)
    if step == "contact":
        log_call(lead, admin)
    client = client_for(user)
    shown = transitions_of(client, lead.pk)[step]
    assert shown["allowed"] is False
    assert REASON_NO_PERMISSION in shown["reasons"]
    response = post(client, lead.pk, step, {"reason": "x"})
    assert response.status_code == 403, response.content
    assert response.json() == {
        "code": "permission_denied",
        "detail": "You do not have permission to do this.",
    }
    lead.refresh_from_db()
    assert lead.status == STEP_STATE[step]


@pytest.mark.parametrize("step", list(STEP_STATE))
def test_the_same_role_may_do_it_with_the_code(admin, step):
    """Control for the 403 test: the only missing thing was the code."""
    user = make_user(admin, role_without(admin, "transition:lead.none").name)
    lead = lead_in_state(admin, STEP_STATE[step])
    if step == "contact":
        log_call(lead, admin)
    response = post(client_for(user), lead.pk, step, {"reason": "x"})
    assert response.status_code == 200, response.content


@pytest.mark.parametrize(
    ("state", "step"),
    [
        ("new", "qualify"),
        ("new", "convert"),
        ("new", "claim"),
        ("contacted", "contact"),
        ("qualified", "claim"),
        ("converted", "pool"),
        ("converted", "disqualify"),
        ("disqualified", "pool"),
        ("disqualified", "contact"),
        ("pooled", "contact"),
        ("pooled", "pool"),
    ],
)
def test_wrong_state_answers_409_invalid_transition(api, admin, state, step):
    lead = lead_in_state(admin, state)
    response = post(api, lead.pk, step, {"reason": "x"})
    assert response.status_code == 409, response.content
    assert response.json()["code"] == "invalid_transition"
    assert response.json()["detail"] == (
        "This step is not possible from the record's current state."
    )
    lead.refresh_from_db()
    assert lead.status == state


def test_unknown_step_answers_404(api, admin):
    lead = new_lead(admin)
    assert post(api, lead.pk, "fly").status_code == 404


def test_transition_body_must_be_an_object(api, admin):
    lead = new_lead(admin)
    response = api.post(f"/api/v1/leads/{lead.pk}/transitions/pool/?lang=en", ["x"], format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_marketing_may_pool_but_not_contact(admin):
    marketer = make_user(admin, "市场")
    lead = new_lead(admin, owner=marketer)
    log_call(lead, marketer)
    client = client_for(marketer)
    assert post(client, lead.pk, "contact").status_code == 403
    assert post(client, lead.pk, "pool").status_code == 200


# --- languages -------------------------------------------------------------------------


def test_reasons_are_english_with_accept_language(api, admin):
    lead = new_lead(admin)
    response = post(api, lead.pk, "contact", lang=None, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response["Content-Language"] == "en"
    assert response.json()["reasons"] == [REASON_ACTIVITY]


def test_reasons_default_to_simplified_chinese(api, admin):
    lead = new_lead(admin)
    response = post(api, lead.pk, "contact", lang=None)
    assert response.status_code == 400
    assert response["Content-Language"] == "zh-hans"
    reasons = response.json()["reasons"]
    assert reasons and all(reasons)
    with translation.override("zh-hans"):
        chinese = translation.gettext(REASON_ACTIVITY)
    assert reasons == [chinese]
    if chinese != REASON_ACTIVITY:  # the zh_Hans catalog is translated: no English leaks
        assert reasons != [REASON_ACTIVITY]


def test_a_user_whose_language_is_english_gets_english(admin):
    user = make_user(admin, "销售代表")
    core.user_update(user, tenant=admin.tenant, actor=admin, language="en")
    lead = new_lead(admin, owner=user)
    response = post(client_for(user), lead.pk, "contact", lang=None)
    assert response.json()["reasons"] == [REASON_ACTIVITY]
    assert response["Content-Language"] == "en"
