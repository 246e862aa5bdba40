"""A placeholder with a brace too many or too few (``{{客户名称}``, ``{客户名称}}``) is
refused on save, naming it: it would be sent to customers as typed. The check is the
one templating shares with care greetings (``{name}``), so they refuse it too."""

from __future__ import annotations

import pytest

from crm.care.models import CareRule
from crm.messaging.models import MessageTemplate
from tests.conftest import client_for


def _template(api, body: str, subject: str = "月报"):
    return api.post(
        "/api/v1/message-templates/?lang=en",
        {"name": "月报", "channel_kind": "email", "subject": subject, "body": body},
        format="json",
    )


@pytest.mark.django_db
def test_a_message_template_with_unbalanced_braces_is_refused_naming_them(admin):
    api = client_for(admin)
    for body, named in (
        ("{{客户名称}您好", "{{客户名称}"),
        ("{客户名称}}您好", "{客户名称}}"),
        ("您好{{客户名称，本月账单已出", "{{客户名称，本月账单已出"),
        ("{{客户名称}}}您好", "{{客户名称}}}"),
        ("您好}", "您好}"),
    ):
        answer = _template(api, body)
        assert answer.status_code == 400, (body, answer.content)
        assert answer.json()["fields"]["body"] == [
            f"Unbalanced braces: {named}. Write a placeholder as {{{{客户名称}}}}."
        ]
    subject = _template(api, "您好", subject="{{客户名称}月报")
    assert subject.status_code == 400 and "{{客户名称}" in subject.json()["fields"]["subject"][0]
    both = _template(api, "{{优惠码}} {{客户名称}")
    assert both.status_code == 400
    assert [m.split(":")[0] for m in both.json()["fields"]["body"]] == [
        "Unbalanced braces",
        "Unknown placeholder",
    ]
    assert not MessageTemplate.objects.exists()

    made = _template(api, "{{ 客户名称 }}您好，{{联系人}}")
    assert made.status_code == 201, made.content
    url = f"/api/v1/message-templates/{made.json()['id']}/?lang=en"
    edit = api.patch(url, {"body": "{客户名称}}", "version": made.json()["version"]}, format="json")
    assert edit.status_code == 400 and "body" in edit.json()["fields"]
    assert MessageTemplate.objects.get().body == "{{ 客户名称 }}您好，{{联系人}}"


@pytest.mark.django_db
def test_a_care_greeting_with_unbalanced_braces_is_refused_by_the_shared_check(admin):
    api = client_for(admin)
    body = {"name": "生日", "occasion": "birthday", "days_before": 3}
    for greeting, named in (("{name}}您好，生日快乐", "{name}}"), ("{name您好", "{name您好")):
        answer = api.post(
            "/api/v1/care-rules/?lang=en", {**body, "greeting": greeting}, format="json"
        )
        assert answer.status_code == 400, answer.content
        assert answer.json()["fields"]["greeting"] == [
            f"Unbalanced braces: {named}. Write a placeholder as {{name}}."
        ]
    assert not CareRule.objects.exists()
