"""Requisitions, stock receipts and returns print as A4 forms to sign (issue 15,
item 6): number, company, requester/purpose/event, the lines with code, name,
unit, quantity, unit cost and amount, the total, the signature blocks; HTML for
the print dialog and a real PDF; whoever may open the record may print it."""

import pytest

from crm.core.models import Tenant
from crm.marketing import printing
from crm.marketing.models import Requisition, StockReceipt
from tests.conftest import client_for, make_user
from tests.marketing.helpers import D, issued, item, move, requisition

pytestmark = pytest.mark.django_db


def _drawn(text: str) -> bytes:
    return b"".join(b"\\000" + c.encode() for c in text)


@pytest.fixture
def goods(admin):
    # The company profile (test data: written directly).
    Tenant.objects.filter(pk=admin.tenant_id).update(address="上海市浦东新区世纪大道100号")
    brochure = item(admin, "P1", "产品宣传册", cost="2.50", stock=500)
    gift = item(admin, "G1", "保温杯", cost="30.00", stock=40)
    return brochure, gift


@pytest.fixture
def event(admin, marketer):
    from crm.marketing import services

    return services.marketing_event_create(
        tenant=admin.tenant, actor=marketer, name="上海工博会", type="exhibition"
    )


@pytest.fixture
def issued_req(goods, event, marketer, manager, keeper):
    brochure, gift = goods
    return issued(
        marketer,
        manager,
        keeper,
        [(brochure, 200), (gift, 20)],
        purpose="工博会赠品",
        marketing_event=event,
    )


def test_the_requisition_prints_its_lines_and_signatures(issued_req, marketer, admin):
    res = client_for(marketer).get(
        f"/api/v1/requisitions/{issued_req.pk}/document/?as=html", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert res.status_code == 200
    assert res["Content-Type"].startswith("text/html")
    html = res.content.decode()
    assert issued_req.number in html and admin.tenant.name in html
    assert "上海市浦东新区世纪大道100号" in html
    # lines: code, name, unit, quantity, unit cost, amount
    for text in ("P1", "产品宣传册", "个", "200", "¥2.50", "¥500.00"):
        assert text in html, text
    for text in ("G1", "保温杯", "20", "¥30.00", "¥600.00"):
        assert text in html, text
    assert "¥1,100.00" in html  # 200 x 2.50 + 20 x 30.00
    assert "壹仟壹佰元整" in html
    # requester, purpose, event, and who signs
    assert "工博会赠品" in html and "上海工博会" in html and "市场小王" in html
    for role in ("requester", "approved by", "stock keeper", "received by"):
        assert role in html, role
    assert "经理" in html and "库管老李" in html
    assert "transitions" not in html  # the form, not the internal card


def test_the_requisition_prints_in_chinese(issued_req, marketer):
    client = client_for(marketer)
    html = client.get(
        f"/api/v1/requisitions/{issued_req.pk}/document/", HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert "领料单" in html and "申请人" in html and "审批人" in html


def test_the_requisition_pdf_is_a_real_pdf(issued_req, marketer):
    res = client_for(marketer).get(f"/api/v1/requisitions/{issued_req.pk}/document/?as=pdf")
    assert res.status_code == 200
    assert res["Content-Type"] == "application/pdf"
    assert f'filename="{issued_req.number}.pdf"' in res["Content-Disposition"]
    assert res.content.startswith(b"%PDF-") and res.content.rstrip().endswith(b"%%EOF")
    raw = printing.render_pdf(issued_req, compress=False)
    assert raw.startswith(b"%PDF-")
    # An uncompressed stream draws the CID font's text as 2-byte codes (\000P\0001):
    # the number, the item codes and the total are on the page, not only in the metadata.
    for text in (issued_req.number, "P1", "G1", "1,100.00", "500.00"):
        assert _drawn(text) in raw, text
    assert b"STSong-Light" in raw
    assert raw.count(b"/Type /Page\n") + raw.count(b"/Type /Page ") >= 1


def test_a_draft_prints_too_with_its_status(goods, marketer):
    brochure, _gift = goods
    draft = requisition(marketer, [(brochure, 3)], purpose="样品")
    data = printing.document_data(draft)
    assert data.status == "draft"
    assert [(ln.code, ln.quantity_text, ln.amount_text) for ln in data.lines] == [
        ("P1", "3", "¥7.50")
    ]
    assert data.total == D("7.50")


def test_the_receipt_prints_with_supplier_and_keeper(admin, keeper):
    from crm.marketing import services

    it = item(admin, "P9", "展架")
    doc = services.receipt_create(
        tenant=admin.tenant,
        actor=keeper,
        supplier="印刷厂",
        lines=[{"item": it, "quantity": D("12"), "unit_cost": D("45.50")}],
    )
    move(StockReceipt, doc, "confirm", keeper)
    client = client_for(keeper)
    html = client.get(
        f"/api/v1/stock-receipts/{doc.pk}/document/", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert doc.number in html and "印刷厂" in html and "展架" in html
    assert "¥546.00" in html and "stock keeper" in html and "库管老李" in html
    pdf = client.get(f"/api/v1/stock-receipts/{doc.pk}/document/?as=pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")


def test_the_return_prints_against_its_requisition(issued_req, goods, marketer, keeper, admin):
    from crm.marketing import services

    _brochure, gift = goods
    ret = services.return_create(
        tenant=admin.tenant,
        actor=marketer,
        requisition=issued_req,
        lines=[{"item": gift, "quantity": D("5")}],
    )
    html = (
        client_for(keeper)
        .get(f"/api/v1/stock-returns/{ret.pk}/document/", HTTP_ACCEPT_LANGUAGE="en")
        .content.decode()
    )
    assert ret.number in html and issued_req.number in html
    assert "保温杯" in html and "¥150.00" in html and "returned by" in html


def test_a_bad_kind_is_a_400_naming_the_parameter(issued_req, marketer):
    res = client_for(marketer).get(f"/api/v1/requisitions/{issued_req.pk}/document/?as=docx")
    assert res.status_code == 400
    assert "as" in res.json()["fields"]


def test_printing_keeps_to_the_data_scope(issued_req, admin, marketing_team):
    """市场 sees its own requisitions only: another marketer cannot print this one."""
    colleague = make_user(admin, "市场", team=marketing_team, name="市场小张")
    url = f"/api/v1/requisitions/{issued_req.pk}/document/"
    assert client_for(colleague).get(url).status_code == 404
    assert client_for(colleague).get(url + "?as=pdf").status_code == 404


def test_another_tenant_cannot_print(issued_req, other_admin):
    url = f"/api/v1/requisitions/{issued_req.pk}/document/"
    assert client_for(other_admin).get(url).status_code == 404
    assert Requisition.objects.filter(pk=issued_req.pk).exists()


def test_without_the_view_permission_printing_is_refused(issued_req, admin):
    """销售代表 has no requisition permission at all."""
    rep = make_user(admin, "销售代表")
    res = client_for(rep).get(f"/api/v1/requisitions/{issued_req.pk}/document/")
    assert res.status_code in (403, 404)
