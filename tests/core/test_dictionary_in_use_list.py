"""A dictionary value in use by several kinds of record names them in one list joined
by the language's list separator (", " in English, "、" in Chinese), never a bare
English comma inside a Chinese sentence."""

from __future__ import annotations

import pytest
from django.utils import translation

from crm.core.models import DictionaryItem
from crm.customers.services import lead_create
from tests.conftest import client_for
from tests.sales import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def industry(admin):
    value = DictionaryItem.objects.get(tenant=admin.tenant, kind="industry", code="manufacturing")
    f.customer(admin, name="行业客户", industry=value)
    lead_create(tenant=admin.tenant, actor=admin, company_name="行业线索", industry=value)
    return value


def _detail(admin, industry, lang: str) -> str:
    response = client_for(admin).delete(
        f"/api/v1/dictionary/{industry.pk}/", HTTP_ACCEPT_LANGUAGE=lang
    )
    assert response.status_code == 409, response.content
    return response.json()["detail"]


def test_the_records_using_a_value_are_listed_in_english(admin, industry):
    detail = _detail(admin, industry, "en")
    assert "(1 customer, 1 lead)" in detail or "(1 lead, 1 customer)" in detail, detail


def test_the_records_using_a_value_are_listed_with_the_languages_separator(admin, industry):
    detail = _detail(admin, industry, "zh-hans")
    with translation.override("zh-hans"):
        separator = translation.pgettext("list separator", ", ")
        customer = translation.ngettext("%(count)d %(name)s", "%(count)d %(names)s", 1) % {
            "count": 1,
            "name": translation.gettext("customer"),
            "names": translation.gettext("customers"),
        }
    assert separator == "、"  # the catalog's translation
    assert detail.count(separator) == 1, detail
    assert ", " not in detail, detail
    assert customer in detail, detail
