"""The 'done when' path of the foundation, through the real API."""

import pytest

from tests.conftest import PASSWORD


@pytest.mark.django_db
def test_signup_lead_to_customer_through_the_api(client):
    from rest_framework.test import APIClient

    api = APIClient()
    response = api.post(
        "/api/v1/signup/",
        {
            "company": "北京科技有限公司",
            "username": "boss",
            "password": PASSWORD,
            "email": "b@x.cn",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    api.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")

    lead = api.post(
        "/api/v1/leads/",
        {
            "company_name": "北京科技",
            "contact_name": "张三",
            "mobile": "１３８ 1234 5678",
            "need": "CRM",
        },
        format="json",
    ).json()
    assert lead["mobile"] == "+8613812345678"
    assert lead["status"] == "new"

    blocked = api.post(f"/api/v1/leads/{lead['id']}/transitions/contact/", {}, format="json")
    assert blocked.status_code == 400
    assert blocked.json()["code"] == "guard_failed"

    call = api.post(
        "/api/v1/activities/",
        {"kind": "call", "subject": "首次电话", "lead": lead["id"]},
        format="json",
    )
    assert call.status_code == 201
    for step, status in [
        ("contact", "contacted"),
        ("qualify", "qualified"),
        ("convert", "converted"),
    ]:
        moved = api.post(f"/api/v1/leads/{lead['id']}/transitions/{step}/", {}, format="json")
        assert moved.status_code == 200, moved.content
        assert moved.json()["status"] == status

    found = api.get("/api/v1/customers/?search=bjkj").json()
    assert found["count"] == 1
    assert found["results"][0]["name"] == "北京科技"
    history = api.get(f"/api/v1/leads/{lead['id']}/history/").json()
    assert [h["action"] for h in history[:3]] == ["convert", "qualify", "contact"]
