"""Issue 20 item 6: exports write phone numbers as people wrote them.

The formula guard put an apostrophe in front of every cell starting with "+",
so "+8613812345678" came out as "'+8613812345678". Only real formula starts
are neutralised now; phone numbers are written as text, unchanged.
"""

from __future__ import annotations

import csv
import io

import pytest

from crm.customers import services as customer_services
from crm.imports.formats import neutralise
from tests.imports.helpers import read_xlsx

pytestmark = pytest.mark.django_db


def _csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))


def test_phone_numbers_are_exported_without_an_apostrophe(api, tenant, admin):
    customer_services.customer_create(
        tenant=tenant,
        actor=admin,
        name="电话公司",
        code="+1+2",
        mobile="+8613812345678",
        phone="+86 21 6123-4567",
    )
    header, row = _csv(api.get("/api/v1/customers/export/?file_format=csv"))
    assert row[header.index("手机")] == "+8613812345678"
    assert row[header.index("电话")] == "+86 21 6123-4567"
    assert row[header.index("客户编号")] == "'+1+2"  # a formula start is still guarded

    sheet = read_xlsx(
        b"".join(api.get("/api/v1/customers/export/?file_format=xlsx").streaming_content)
    )
    header, row = sheet[0], sheet[1]
    # Text cells, not numbers: the "+" and the spaces survive.
    assert row[header.index("手机")] == "+8613812345678"
    assert row[header.index("电话")] == "+86 21 6123-4567"
    assert row[header.index("客户编号")] == "'+1+2"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("+86 138 1234 5678", "+86 138 1234 5678"),
        ("+1 (415) 555-0100", "+1 (415) 555-0100"),
        ("+8613812345678", "+8613812345678"),
        ("+1", "'+1"),
        ("+1+2", "'+1+2"),
        ("+SUM(A1)", "'+SUM(A1)"),
        ("+86 138|cmd", "'+86 138|cmd"),
        ("=1+1", "'=1+1"),
        ("-2", "'-2"),
        ("@A1", "'@A1"),
    ],
)
def test_the_formula_guard_spares_only_phone_numbers(value, expected):
    assert neutralise(value) == expected
