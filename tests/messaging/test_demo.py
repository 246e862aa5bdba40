"""The demo company's messaging: robots and an SMS gateway (off), templates, a draft
mass send whose preview counts the group and leaves the unsubscribed mobile out."""

import pytest

from crm.core.models import User
from crm.messaging.models import Channel, MassSend, MessageTemplate, Suppression
from fixtures import demo
from tests.conftest import client_for


@pytest.mark.django_db
def test_demo_messaging():
    demo.load()
    admin = User.objects.get(username="demo")
    tenant = admin.tenant
    assert set(Channel.objects.filter(tenant=tenant).values_list("kind", flat=True)) == {
        "wecom",
        "dingtalk",
        "sms",
    }
    assert MessageTemplate.objects.filter(tenant=tenant).count() == 2
    assert Suppression.objects.filter(tenant=tenant).count() == 1
    send = MassSend.objects.filter(tenant=tenant).first()
    if send is not None:  # the demo has a customer group
        preview = client_for(admin).get(f"/api/v1/mass-sends/{send.pk}/preview/").json()
        assert preview["count"] >= preview["recipients"] >= 0
