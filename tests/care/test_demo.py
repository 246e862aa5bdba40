"""The demo company's care and targets: rules, a lunar birthday within the coming
days on the care calendar, the reps' targets with their attainment."""

import pytest

from crm.care.models import CareRule, ContactLunarBirthday
from crm.core.models import User
from crm.targets.models import SalesTarget
from fixtures import demo
from tests.conftest import client_for


@pytest.mark.django_db
def test_demo_care_and_targets():
    demo.load()
    rep = User.objects.get(username="rep1")
    assert CareRule.objects.filter(tenant=rep.tenant).count() == 5
    assert ContactLunarBirthday.objects.filter(tenant=rep.tenant).count() == 2
    assert SalesTarget.objects.filter(tenant=rep.tenant).count() == 5
    admin = User.objects.get(username="demo")
    upcoming = client_for(admin).get("/api/v1/care/upcoming/?days=14").json()
    assert any(r["calendar"] == "lunar" for r in upcoming["results"])
    report = client_for(admin).get("/api/v1/reports/targets/").json()
    assert {r["user"] for r in report["people"]} >= {rep.pk}
