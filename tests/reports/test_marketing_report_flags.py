"""The stock-on-hand report's ``?low=`` reads yes/no like every other true/false query
parameter (``crm.core.api.filters.query_flag``): 1/0, true/false, yes/no in any case
and with spaces around; another word is a 400 naming ``low`` with the shared message."""

from __future__ import annotations

import pytest
from django.utils import translation

from tests.conftest import client_for
from tests.marketing.helpers import item

pytestmark = pytest.mark.django_db
URL = "/api/v1/reports/marketing/stock-on-hand/"


@pytest.fixture
def stock(admin):
    item(admin, "G1", "保温杯", threshold="5", stock=3)  # at or below its threshold
    item(admin, "G2", "U盘", threshold="0", stock=10)


@pytest.mark.parametrize(
    ("word", "codes"),
    [
        ("1", ["G1"]),
        ("YES", ["G1"]),
        (" true ", ["G1"]),
        ("0", ["G1", "G2"]),
        ("No", ["G1", "G2"]),
        ("", ["G1", "G2"]),
    ],
)
def test_low_reads_the_yes_no_words(admin, stock, word, codes):
    for suffix in ("", "export/"):
        response = client_for(admin).get(f"{URL}{suffix}", {"low": word})
        assert response.status_code == 200, (word, response.content)
    data = client_for(admin).get(URL, {"low": word}).json()
    assert [r["code"] for r in data["rows"]] == codes


@pytest.mark.parametrize("word", ["maybe", "2", "on"])
def test_another_word_is_refused_like_every_yes_no_parameter(admin, stock, word):
    api = client_for(admin)
    for lang in ("en", "zh-hans"):
        for suffix in ("", "export/"):
            response = api.get(f"{URL}{suffix}", {"low": word}, HTTP_ACCEPT_LANGUAGE=lang)
            assert response.status_code == 400, response.content
            with translation.override(lang):
                expected = translation.gettext("Send true or false.")
            assert response.json()["fields"] == {"low": [expected]}
    # The same words and message as a list's own flag (?unread= of the notifications).
    same = api.get("/api/v1/notifications/", {"unread": word}, HTTP_ACCEPT_LANGUAGE="en")
    assert same.status_code == 400 and same.json()["fields"] == {"unread": ["Send true or false."]}
