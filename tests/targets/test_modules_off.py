"""Care and targets switch off as modules: their endpoints answer 404
``module_disabled`` and the workbench loses the target gauge; data stays."""

from __future__ import annotations

import pytest

from crm.core.modules import set_modules
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_switched_off_care_and_targets_answer_module_disabled(admin):
    api = client_for(admin)
    paths = {
        "care": ["/api/v1/care-rules/", "/api/v1/contact-birthdays/", "/api/v1/care/upcoming/"],
        "targets": ["/api/v1/targets/", "/api/v1/reports/targets/"],
    }
    for urls in paths.values():
        for url in urls:
            assert api.get(url).status_code == 200, url
    assert "targets" in api.get("/api/v1/workbench/").json()["panels"]
    set_modules(tenant=admin.tenant, actor=admin, values={"care": False, "targets": False})
    for urls in paths.values():
        for url in urls:
            response = api.get(url)
            assert response.status_code == 404 and response.json()["code"] == "module_disabled"
    assert "targets" not in api.get("/api/v1/workbench/").json()["panels"]
    # The other reports stay on.
    assert api.get("/api/v1/reports/customers/by-level/").status_code == 200
