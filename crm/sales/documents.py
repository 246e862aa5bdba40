"""Quotations and contracts as customer-facing A4 documents (报价单, 合同).

``document_data`` gathers what is printed (the company profile and logo, the
customer, the lines with amounts in figures and in capitals 大写金额, the
terms, the signature blocks); ``render_html`` lays it out for the browser's
print dialog, ``render_pdf`` as a PDF. The PDF uses reportlab's built-in CID
font STSong-Light (Adobe's Asian font pack, which every PDF reader carries), so
Chinese renders without any font installed on the server.
"""

from __future__ import annotations

import base64
import io
import mimetypes
from dataclasses import dataclass, field
from decimal import Decimal

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.sales.money import amount_in_capitals, money_text


@dataclass
class Line:
    position: int
    name: str
    description: str
    unit: str
    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal
    amount: Decimal

    @property
    def unit_price_text(self) -> str:
        return money_text(self.unit_price)

    @property
    def amount_text(self) -> str:
        return money_text(self.amount)


@dataclass
class Document:
    kind: str  # "quote" | "contract"
    title: str
    number: str
    date: object
    company: dict
    logo_data_uri: str
    logo_bytes: bytes | None
    customer: dict
    lines: list[Line]
    subtotal: Decimal
    total: Decimal
    total_text: str
    total_capitals: str
    facts: list[tuple[str, str]] = field(default_factory=list)
    terms: list[str] = field(default_factory=list)
    parties: tuple[str, str] = ("", "")


def quote_code(quote) -> str:
    """The printed number of a quote version: BJ + the row id, v + the version."""
    return f"BJ{quote.pk:06d}-v{quote.number}"


def _logo(tenant) -> tuple[str, bytes | None]:
    if not tenant.logo:
        return "", None
    try:
        with tenant.logo.open("rb") as fh:
            data = fh.read()
    except OSError:  # the file went missing: the document prints without it
        return "", None
    mime = mimetypes.guess_type(tenant.logo.name)[0] or "image/png"
    return f"data:{mime};base64,{base64.b64encode(data).decode()}", data


def _company(tenant) -> dict:
    return {
        "name": tenant.name,
        "credit_code": getattr(tenant, "credit_code", ""),
        "address": getattr(tenant, "address", ""),
        "phone": getattr(tenant, "phone", ""),
    }


def _customer(customer, contact=None) -> dict:
    if customer is None:
        return {"name": "", "address": "", "contact": "", "phone": ""}
    return {
        "name": customer.name,
        "address": getattr(customer, "address", "") or "",
        "contact": contact.name if contact is not None else "",
        "phone": (getattr(contact, "mobile", "") or getattr(contact, "phone", ""))
        if contact is not None
        else (getattr(customer, "phone", "") or ""),
    }


def _lines(rows) -> list[Line]:
    out = []
    for i, row in enumerate(rows, start=1):
        product = row.product
        out.append(
            Line(
                position=i,
                name=product.name if product is not None else (row.description or ""),
                # The product's name already says it: a copy of it is not a description.
                description=row.description
                if product is not None and row.description.strip() != product.name
                else "",
                unit=product.unit if product is not None else "",
                quantity=row.quantity.normalize() if row.quantity % 1 == 0 else row.quantity,
                unit_price=row.unit_price,
                discount_percent=row.discount_percent,
                amount=row.amount,
            )
        )
    return out


def _fmt_date(value) -> str:
    return value.strftime("%Y-%m-%d") if value else ""


def document_data(doc) -> Document:
    """What a quote or a contract prints as (the caller has checked access)."""
    tenant = doc.tenant
    data_uri, logo_bytes = _logo(tenant)
    kind = doc._meta.model_name
    if kind == "quote":
        opp = doc.opportunity
        rows = list(doc.lines.select_related("product").order_by("position", "id"))
        total = doc.total
        terms = [
            _("Prices are in Chinese yuan (CNY)."),
            _("This quotation is valid until %(date)s.") % {"date": _fmt_date(doc.valid_until)}
            if doc.valid_until
            else _("This quotation is valid for 30 days from its date."),
        ]
        if doc.note:
            terms.append(doc.note)
        return Document(
            kind=kind,
            title=_("Quotation"),
            number=quote_code(doc),
            date=timezone.localdate(doc.approved_at or doc.created_at),
            company=_company(tenant),
            logo_data_uri=data_uri,
            logo_bytes=logo_bytes,
            customer=_customer(opp.customer, opp.contact),
            lines=_lines(rows),
            subtotal=doc.subtotal,
            total=total,
            total_text=money_text(total),
            total_capitals=amount_in_capitals(total),
            facts=[
                (_("Quotation number"), quote_code(doc)),
                (_("Subject"), opp.name),
                (_("Version"), f"v{doc.number}"),
                (_("Valid until"), _fmt_date(doc.valid_until)),
            ],
            terms=terms,
            parties=(_("Customer (confirmation)"), _("Supplier")),
        )
    rows = list(doc.lines.select_related("product").order_by("position", "id"))
    plan = list(doc.installments.order_by("sequence"))
    terms = [
        _("Contract period: %(start)s to %(end)s.")
        % {"start": _fmt_date(doc.start_date) or "-", "end": _fmt_date(doc.end_date) or "-"},
    ]
    for inst in plan:
        terms.append(
            _("Installment %(seq)d: %(amount)s (%(capitals)s), due on %(date)s.")
            % {
                "seq": inst.sequence,
                "amount": money_text(inst.amount),
                "capitals": amount_in_capitals(inst.amount),
                "date": _fmt_date(inst.due_date),
            }
        )
    terms.append(
        _(
            "This contract takes effect when signed and sealed by both parties; "
            "each party keeps one copy."
        )
    )
    lines = _lines(rows)
    return Document(
        kind=kind,
        title=_("Sales contract"),
        number=doc.number,
        date=doc.signed_on or timezone.localdate(doc.approved_at or doc.created_at),
        company=_company(tenant),
        logo_data_uri=data_uri,
        logo_bytes=logo_bytes,
        customer=_customer(doc.customer, getattr(doc.opportunity, "contact", None)),
        lines=lines,
        subtotal=sum((line.amount for line in lines), Decimal("0.00")),
        total=doc.amount,
        total_text=money_text(doc.amount),
        total_capitals=amount_in_capitals(doc.amount),
        facts=[
            (_("Contract number"), doc.number),
            (_("Title"), doc.title),
            (_("Start date"), _fmt_date(doc.start_date)),
            (_("End date"), _fmt_date(doc.end_date)),
        ],
        terms=terms,
        parties=(_("Party A (customer)"), _("Party B (supplier)")),
    )


def render_html(doc) -> str:
    data = document_data(doc)
    data.facts = [(label, value) for label, value in data.facts if value]
    return render_to_string("sales/document.html", {"doc": data})


def render_pdf(doc, *, compress: bool = True) -> bytes:
    """The same document as an A4 PDF (``compress=False`` keeps text streams readable)."""
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER, TA_RIGHT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = "STSong-Light"
    if font not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(font))
    data = document_data(doc)
    base = ParagraphStyle("base", fontName=font, fontSize=10, leading=14, wordWrap="CJK")
    small = ParagraphStyle("small", parent=base, fontSize=9, leading=12)
    title = ParagraphStyle("title", parent=base, fontSize=18, leading=24, alignment=TA_CENTER)
    right = ParagraphStyle("right", parent=base, alignment=TA_RIGHT)

    def p(text, style=base):
        return Paragraph(escape(str(text or "")), style)

    story = []
    head = [p(data.company["name"], ParagraphStyle("co", parent=base, fontSize=13, leading=18))]
    for key in ("address", "phone", "credit_code"):
        if data.company.get(key):
            head.append(p(data.company[key], small))
    if data.logo_bytes:
        try:
            logo = Image(
                io.BytesIO(data.logo_bytes), width=30 * mm, height=15 * mm, kind="proportional"
            )
            story.append(Table([[logo, head]], colWidths=[35 * mm, None]))
        except Exception:  # an image reportlab cannot read: print without it
            story.extend(head)
    else:
        story.extend(head)
    story += [Spacer(1, 6 * mm), p(data.title, title), Spacer(1, 4 * mm)]
    facts = [[p(label, small), p(value, small)] for label, value in data.facts if value]
    facts += [
        [p(_("Customer"), small), p(data.customer["name"], small)],
        [p(_("Contact"), small), p(data.customer["contact"], small)],
        [p(_("Date"), small), p(_fmt_date(data.date), small)],
    ]
    story.append(Table(facts, colWidths=[35 * mm, None]))
    story.append(Spacer(1, 4 * mm))
    header = [
        _("No."),
        _("Item"),
        _("Unit"),
        _("Qty"),
        _("Unit price"),
        _("Discount %"),
        _("Amount"),
    ]
    rows = [[p(h, small) for h in header]]
    for line in data.lines:
        name = line.name + (f"\n{line.description}" if line.description else "")
        rows.append(
            [
                p(line.position, small),
                p(name, small),
                p(line.unit, small),
                p(line.quantity, small),
                p(money_text(line.unit_price), small),
                p(line.discount_percent, small),
                p(money_text(line.amount), small),
            ]
        )
    rows.append([p(_("Total"), small), "", "", "", "", "", p(data.total_text, small)])
    rows.append([p(_("Total in words"), small), p(data.total_capitals, small), "", "", "", "", ""])
    table = Table(rows, colWidths=[12 * mm, 55 * mm, 14 * mm, 16 * mm, 28 * mm, 18 * mm, 30 * mm])
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                ("SPAN", (0, -2), (5, -2)),
                ("SPAN", (1, -1), (-1, -1)),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    story += [table, Spacer(1, 5 * mm), p(_("Terms"), base)]
    for i, term in enumerate(data.terms, start=1):
        story.append(p(f"{i}. {term}", small))
    story.append(Spacer(1, 12 * mm))
    sign = [
        [p(data.parties[0]), p(data.parties[1])],
        [p(data.customer["name"], small), p(data.company["name"], small)],
        [p(_("Signature / seal:"), small), p(_("Signature / seal:"), small)],
        [p(_("Date:"), small), p(_("Date:"), small)],
    ]
    story.append(Table(sign, colWidths=[85 * mm, 85 * mm], rowHeights=[None, None, 16 * mm, None]))
    story.append(p("", right))
    buf = io.BytesIO()
    pdf = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=f"{data.title} {data.number}",
        author=data.company["name"],
        subject=data.number,
        pageCompression=1 if compress else 0,
    )
    pdf.build(story)
    return buf.getvalue()
