"""A channel's rate limit is refused when the senders could not read it: unreadable,
it meant no limit at all, and the provider's own limit then refused the messages."""

from __future__ import annotations

import pytest

from crm.messaging.models import Channel
from tests.conftest import client_for


@pytest.mark.django_db
def test_a_rate_limit_the_senders_cannot_read_is_refused(admin):
    api = client_for(admin)
    base = {"kind": "sms", "name": "阿里云短信", "endpoint": "https://dysmsapi.aliyuncs.com/"}
    for rate in ["abc", -5, 2.5, True, "50"]:
        bad = api.post(
            "/api/v1/channels/", {**base, "options": {"rate_per_second": rate}}, format="json"
        )
        assert bad.status_code == 400, (rate, bad.content)
        assert list(bad.json()["fields"]) == ["options"]
    assert not Channel.objects.exists()

    made = api.post(
        "/api/v1/channels/", {**base, "options": {"rate_per_second": 50}}, format="json"
    )
    assert made.status_code == 201, made.content
    pk = made.json()["id"]
    edited = api.patch(
        f"/api/v1/channels/{pk}/", {"options": {"rate_per_second": "fast"}}, format="json"
    )
    assert edited.status_code == 400 and list(edited.json()["fields"]) == ["options"]
    assert Channel.objects.get(pk=pk).options == {"rate_per_second": 50}
    unlimited = api.patch(
        f"/api/v1/channels/{pk}/", {"options": {"rate_per_second": 0}}, format="json"
    )
    assert unlimited.status_code == 200, unlimited.content
