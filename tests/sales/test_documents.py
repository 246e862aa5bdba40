"""Quotes and contracts as customer-facing documents (issue 20 item 3): the amount
in Chinese capitals, the printable HTML and the PDF of the same."""

import pytest

from crm.sales.documents import quote_code
from crm.sales.money import amount_in_capitals, money_text
from tests.sales import factories as f
from tests.sales.factories import client_for


@pytest.mark.parametrize(
    ("value", "capitals"),
    [
        ("12345.60", "壹万贰仟叁佰肆拾伍元陆角整"),
        ("0", "零元整"),
        ("0.05", "伍分"),
        ("0.50", "伍角整"),
        ("1.02", "壹元零贰分"),
        ("10.05", "壹拾元零伍分"),
        ("20", "贰拾元整"),
        ("1005.02", "壹仟零伍元零贰分"),
        ("1010", "壹仟零壹拾元整"),
        ("100000", "壹拾万元整"),
        ("10000100", "壹仟万零壹佰元整"),
        ("100010000", "壹亿零壹万元整"),
        ("100000000", "壹亿元整"),
        ("100001000", "壹亿零壹仟元整"),
        ("123456789012.34", "壹仟贰佰叁拾肆亿伍仟陆佰柒拾捌万玖仟零壹拾贰元叁角肆分"),
        ("0.004", "零元整"),  # rounds half-up to cents first
        ("0.005", "壹分"),
    ],
)
def test_amount_in_capitals(value, capitals):
    assert amount_in_capitals(value) == capitals


@pytest.mark.parametrize("value", ["-0.01", "-100"])
def test_a_negative_amount_has_no_capitals(value):
    with pytest.raises(ValueError):
        amount_in_capitals(value)


def test_floats_are_refused():
    with pytest.raises(TypeError):
        amount_in_capitals(1.5)


def test_money_text():
    assert money_text("1234567.5") == "¥1,234,567.50"
    assert money_text("-3") == "-¥3.00"


@pytest.fixture
def quote(rep):
    opp = f.opportunity(rep, name="ERP 升级项目")
    prod = f.product(rep, code="ERP-1", price="6172.80", name="ERP 授权")
    return f.quote(opp, rep, prod=prod, specs=((2, "6172.80", 0),))


def test_the_quote_prints_as_a_customer_facing_document(quote, rep):
    res = client_for(rep).get(f"/api/v1/quotes/{quote.pk}/document/?as=html")
    assert res.status_code == 200
    assert res["Content-Type"].startswith("text/html")
    html = res.content.decode()
    assert "壹万贰仟叁佰肆拾伍元陆角整" in html  # 2 x 6,172.80
    assert "¥12,345.60" in html
    assert quote_code(quote) in html
    assert "上海测试客户" in html and "ERP 授权" in html
    assert rep.tenant.name in html
    assert "transitions" not in html  # not the internal card


def test_the_quote_pdf_carries_the_number(quote, rep):
    from crm.sales.documents import render_pdf

    res = client_for(rep).get(f"/api/v1/quotes/{quote.pk}/document/?as=pdf")
    assert res.status_code == 200
    assert res["Content-Type"] == "application/pdf"
    assert res.content.startswith(b"%PDF-")
    assert f"{quote_code(quote)}.pdf" in res["Content-Disposition"]
    raw = render_pdf(quote, compress=False)
    assert raw.startswith(b"%PDF-") and raw.rstrip().endswith(b"%%EOF")
    # Latin text is drawn as such in an uncompressed stream; the number is on the page.
    assert quote_code(quote).encode() in raw
    assert b"STSong-Light" in raw  # the built-in CID font: no system font needed


def test_the_contract_prints_with_its_plan(rep):
    c = f.contract(rep, amount="30000.00")
    html = client_for(rep).get(f"/api/v1/contracts/{c.pk}/document/").content.decode()
    assert c.number in html and "叁万元整" in html
    pdf = client_for(rep).get(f"/api/v1/contracts/{c.pk}/document/?as=pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")


def test_a_bad_kind_is_a_400_naming_the_parameter(quote, rep):
    res = client_for(rep).get(f"/api/v1/quotes/{quote.pk}/document/?as=docx")
    assert res.status_code == 400
    assert "as" in res.json()["fields"]


def test_another_tenant_cannot_print(quote, other_admin):
    assert client_for(other_admin).get(f"/api/v1/quotes/{quote.pk}/document/").status_code == 404
