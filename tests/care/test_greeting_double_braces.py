"""A care greeting written with a message template's placeholder syntax (``{{name}}``)
is refused naming that placeholder and how a greeting writes its own (``{name}``,
single braces), not as the lone braces around it ("Unknown placeholder: {, }").
Message templates keep their double-brace syntax."""

from __future__ import annotations

import pytest

from crm.care.models import CareRule
from crm.messaging.models import MessageTemplate
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

BODY = {"name": "生日", "occasion": "birthday", "days_before": 3}


def _refused(api, greeting) -> list[str]:
    body = {**BODY, "greeting": greeting}
    response = api.post("/api/v1/care-rules/?lang=en", body, format="json")
    assert response.status_code == 400, (greeting, response.content)
    return response.json()["fields"]["greeting"]


def test_a_greeting_in_double_braces_names_the_placeholder_and_the_syntax(admin):
    api = client_for(admin)
    assert _refused(api, "{{name}}您好，祝您生日快乐！") == [
        "Placeholders in double braces ({{name}}) are not a care greeting's: "
        "write {name}, in single braces, for the contact's name."
    ]
    # A message template's name, several, and other mistakes beside them.
    messages = _refused(api, "{{ 客户名称 }}的{{name}}：{{name}}，{password}")
    assert messages == [
        "Placeholders in double braces ({{ 客户名称 }}, {{name}}) are not a care greeting's: "
        "write {name}, in single braces, for the contact's name.",
        "Unknown placeholder: {password}.",
    ]
    assert "{, }" not in " ".join(messages)
    unbalanced = _refused(api, "{{name}您好")
    assert unbalanced == ["Unbalanced braces: {{name}. Write a placeholder as {name}."]
    assert not CareRule.objects.exists()

    made = api.post("/api/v1/care-rules/", {**BODY, "greeting": "{name}您好"}, format="json")
    assert made.status_code == 201, made.content


def test_message_templates_keep_double_braces(admin):
    api = client_for(admin)
    made = api.post(
        "/api/v1/message-templates/",
        {"name": "问候", "channel_kind": "email", "subject": "您好", "body": "{{联系人}}您好"},
        format="json",
    )
    assert made.status_code == 201, made.content
    assert MessageTemplate.objects.get().body == "{{联系人}}您好"
