"""Every list export speaks the user's language in its headings.

A list without an import resource takes its columns from the list serializer:
each column must carry a translatable label (never DRF's automatic English
heading built from the field name), the optimistic-lock version stays out, and a
code with a display companion (``status`` / ``status_label``) is one column of
display text under the code's own heading.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from django_scopes import scopes_disabled

from crm.api_router import router
from crm.core.models import User
from crm.imports.resources import for_model
from fixtures import demo
from tests.conftest import client_for
from tests.core.test_fast_list import _fill

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")
# Headings that are Latin in Chinese too: the record number.
LATIN_IN_CHINESE = {"ID"}


def _header(client, prefix: str, lang: str) -> tuple[list[str], list[list[str]]]:
    response = client.get(f"/api/v1/{prefix}/export/?file_format=csv&lang={lang}")
    assert response.status_code == 200, (prefix, response.content[:300])
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) >= 2, f"{prefix}: no row exported"
    return rows[0], rows[1:]


@pytest.fixture
def filled_admin():
    with scopes_disabled():
        demo.load()
        admin = User.objects.get(username="demo")
    _fill(admin)
    return admin


def _version_column(heading: str) -> bool:
    return heading.strip().lower() in ("version", "row version", "版本")


def test_every_export_has_chinese_headings_and_no_version(filled_admin):
    client = client_for(filled_admin)
    problems = []
    checked = 0
    for prefix, viewset, _b in router.registry:
        if not hasattr(viewset, "export"):
            continue
        header, _rows = _header(client, prefix, "zh-hans")
        bad = {h for h in header if not CJK.search(h) and h not in LATIN_IN_CHINESE}
        bad |= {h for h in header if _version_column(h) or header.count(h) > 1}
        if bad:
            problems.append(f"{prefix}: {sorted(bad)}")
        checked += 1
    assert not problems, "\n".join(problems)
    assert checked >= 30


def test_a_code_with_a_display_text_is_one_column_of_display_text(filled_admin):
    client = client_for(filled_admin)
    header, rows = _header(client, "suppressions", "zh-hans")
    channel = header.index("渠道类型")
    reason = header.index("原因")
    # The codes' labels (短信, 手动添加), not the codes ("sms", "manual").
    shown = {r[channel] for r in rows} | {r[reason] for r in rows}
    assert shown and all(CJK.search(value) for value in shown), shown
    header, rows = _header(client, "tasks", "zh-hans")
    assert "状态" in header and not any("状态" in h and h != "状态" for h in header), header
    statuses = {r[header.index("状态")] for r in rows}
    assert statuses and all(CJK.search(s) for s in statuses), statuses


def test_english_exports_have_english_headings(filled_admin):
    client = client_for(filled_admin)
    problems = []
    checked = 0
    for prefix, viewset, _b in router.registry:
        if not hasattr(viewset, "export") or for_model(viewset.model) is not None:
            continue
        header, _rows = _header(client, prefix, "en")
        # English words, one column per meaning: no "Status label" beside "Status".
        bad = {h for h in header if CJK.search(h) or not re.search("[A-Za-z]", h)}
        bad |= {h for h in header if _version_column(h) or h.lower().endswith(" label")}
        if bad:
            problems.append(f"{prefix}: {sorted(bad)}")
        checked += 1
    assert not problems, "\n".join(problems)
    assert checked >= 20
