"""Web-form capture: a lead form's public page /f/<key>/ creates leads through the
lead service, runs the assignment rules, refuses bots (honeypot, per-address rate
limit answering 429) and keeps one lead per mobile within a day."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from crm.core import services as core
from crm.core.models import DictionaryItem
from crm.customers.models import Lead, LeadForm
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def form(api, admin):
    source = DictionaryItem.objects.filter(tenant=admin.tenant, kind="source").first()
    response = api.post(
        "/api/v1/lead-forms/",
        {
            "name": "官网留资",
            "title": "预约演示",
            "shown_fields": ["need", "contact_name", "region"],
            "source": source.pk,
            "thank_you": "感谢留言，我们会尽快联系您。",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["shown_fields"] == ["contact_name", "region", "need"]  # the form's order
    assert body["public_path"] == f"/f/{body['public_key']}/"
    return LeadForm.objects.get(pk=body["id"])


def _post(form, address="203.0.113.7", **fields):
    data = {"company_name": "上海某某科技", "mobile": "13800138000", **fields}
    return Client(REMOTE_ADDR=address).post(f"/f/{form.public_key}/", data)


def test_the_page_renders_without_login_in_both_languages(form):
    page = Client().get(f"/f/{form.public_key}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "预约演示" in text and 'name="need"' in text and 'name="email"' not in text
    assert 'name="website"' in text  # the honeypot
    english = Client().get(f"/f/{form.public_key}/?lang=en").content.decode()
    assert "Submit" in english
    assert Client().get("/f/nope/").status_code == 404


def test_a_submission_creates_a_lead_owned_by_the_round_robin(api, admin, form):
    team = core.team_create(tenant=admin.tenant, actor=admin, name="华东")
    reps = [make_user(admin, "销售代表", team=team) for _ in range(2)]
    rule = api.post(
        "/api/v1/assignment-rules/",
        {"name": "华东轮转", "strategy": "round_robin", "team": team.pk, "region": "华东"},
        format="json",
    )
    assert rule.status_code == 201, rule.content
    owners = []
    for i in range(4):
        response = _post(
            form, address=f"198.51.100.{i}", mobile=f"1390000000{i}", region="华东 上海"
        )
        assert response.status_code == 200, response.content
        assert "感谢留言" in response.content.decode()
        owners.append(Lead.objects.get(mobile=f"+861390000000{i}").owner_id)
    assert owners == [reps[0].pk, reps[1].pk] * 2
    lead = Lead.objects.get(mobile="+8613900000000")
    assert lead.source_id == form.source_id and lead.company_name == "上海某某科技"
    # no rule fits: the form's creator
    other = _post(form, address="198.51.100.9", mobile="13700000000", region="华北")
    assert other.status_code == 200
    assert Lead.objects.get(mobile="+8613700000000").owner_id == admin.pk
    form.refresh_from_db()
    assert form.submissions == 5


def test_honeypot_makes_no_lead(form):
    response = _post(form, website="http://spam.example")
    assert response.status_code == 200
    assert "感谢留言" in response.content.decode()
    assert not Lead.objects.exists()


def test_the_same_mobile_within_a_day_is_one_lead(form):
    assert _post(form, address="192.0.2.1").status_code == 200
    assert _post(form, address="192.0.2.2", mobile="138 0013 8000").status_code == 200
    assert Lead.objects.filter(mobile="+8613800138000").count() == 1
    Lead.objects.update(created_at=timezone.now() - dt.timedelta(days=1, minutes=1))
    assert _post(form, address="192.0.2.3").status_code == 200
    assert Lead.objects.filter(mobile="+8613800138000").count() == 2


def test_a_burst_from_one_address_gets_429(form, settings):
    settings.LEAD_FORM_RATE = "5/600"
    codes = [
        _post(form, address="192.0.2.50", mobile=f"1350000000{i}").status_code for i in range(8)
    ]
    assert codes == [200] * 5 + [429] * 3
    assert Lead.objects.count() == 5
    # another address is not held back
    assert _post(form, address="192.0.2.51", mobile="13600000000").status_code == 200


def test_bad_input_is_400_naming_the_field_and_stores_nothing(form):
    response = _post(form, company_name="", mobile="12345")
    assert response.status_code == 400
    assert response.content.decode().count('class="error"') == 2
    assert not Lead.objects.exists()


def test_an_inactive_form_is_404(api, form):
    api.patch(f"/api/v1/lead-forms/{form.pk}/", {"active": False}, format="json")
    assert Client().get(f"/f/{form.public_key}/").status_code == 404


def test_unknown_fields_are_refused(api):
    response = api.post(
        "/api/v1/lead-forms/?lang=en", {"name": "x", "shown_fields": ["salary"]}, format="json"
    )
    assert response.status_code == 400 and "shown_fields" in response.json()["fields"]


def test_a_switched_off_leads_module_hides_the_page(admin, form):
    from crm.core.modules import set_modules

    set_modules(tenant=admin.tenant, actor=admin, values={"leads": False})
    assert Client().get(f"/f/{form.public_key}/").status_code == 404
    assert _post(form).status_code == 404
    assert not Lead.objects.exists()
