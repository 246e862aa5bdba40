"""Stock documents as A4 forms to print and sign (领料单, 入库单, 退料单).

The same mechanism as the quotations and contracts (``crm.sales.documents``):
``document_data`` gathers what is printed (the company profile and logo, the
number, the date, the requester, purpose and event, the lines with item code,
name, unit, quantity, unit cost and amount, the total in figures and in
capitals, the signature blocks); ``render_html`` lays it out for the browser's
print dialog, ``render_pdf`` as a PDF in reportlab's built-in CID font, so
Chinese prints without any font installed on the server.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.sales.documents import _company, _logo
from crm.sales.money import amount_in_capitals, money_text

CENT = Decimal("0.01")


def _qty(value: Decimal) -> str:
    """A quantity as people write it: 200, not 200.00; 2.5 stays 2.5."""
    value = Decimal(value)
    return f"{value.normalize():f}" if value % 1 == 0 else f"{value.quantize(CENT):f}"


@dataclass
class Line:
    position: int
    code: str
    name: str
    unit: str
    quantity: Decimal
    unit_cost: Decimal
    amount: Decimal

    @property
    def quantity_text(self) -> str:
        return _qty(self.quantity)

    @property
    def unit_cost_text(self) -> str:
        return money_text(self.unit_cost)

    @property
    def amount_text(self) -> str:
        return money_text(self.amount)


@dataclass
class StockDocument:
    kind: str  # "requisition" | "stockreceipt" | "stockreturn"
    title: str
    number: str
    status: str
    date: object
    company: dict
    logo_data_uri: str
    logo_bytes: bytes | None
    lines: list[Line]
    total_quantity: Decimal
    total: Decimal
    facts: list[tuple[str, str]] = field(default_factory=list)
    # (role, name printed under it or ""): each gets a box to sign and date
    signatures: list[tuple[str, str]] = field(default_factory=list)

    @property
    def fact_rows(self) -> list[list[tuple[str, str]]]:
        """The facts two to a row (the last row padded with an empty pair)."""
        pairs = list(self.facts)
        if len(pairs) % 2:
            pairs.append(("", ""))
        return [pairs[i : i + 2] for i in range(0, len(pairs), 2)]

    @property
    def total_text(self) -> str:
        return money_text(self.total)

    @property
    def total_capitals(self) -> str:
        return amount_in_capitals(self.total)

    @property
    def total_quantity_text(self) -> str:
        return _qty(self.total_quantity)


def _name(user) -> str:
    return user.display_name if user is not None else ""


def _date(value) -> str:
    if not value:
        return ""
    if hasattr(value, "tzinfo"):
        value = timezone.localtime(value)
    return value.strftime("%Y-%m-%d")


def _lines(doc) -> list[Line]:
    out = []
    rows = doc.lines.select_related("item").order_by("position", "id")
    for i, row in enumerate(rows, start=1):
        quantity = abs(row.quantity)
        out.append(
            Line(
                position=i,
                code=row.item.code,
                name=row.item.name,
                unit=row.item.unit,
                quantity=quantity,
                unit_cost=row.unit_cost,
                amount=(quantity * row.unit_cost).quantize(CENT),
            )
        )
    return out


def _facts_of_requisition(req) -> list[tuple[str, str]]:
    requester = req.requester
    team = getattr(requester, "team", None)
    campaign = getattr(req, "campaign", None)
    return [
        (_("requester"), _name(requester)),
        (_("team"), team.name if team is not None else ""),
        (_("purpose"), req.purpose),
        (_("marketing event"), req.marketing_event.name if req.marketing_event_id else ""),
        (_("campaign"), campaign.name if campaign is not None else ""),
        (_("submitted at"), _date(req.submitted_at)),
        (_("approved at"), _date(req.approved_at)),
        (_("issued at"), _date(req.issued_at)),
        (_("note"), req.note),
    ]


def document_data(doc) -> StockDocument:
    """What a requisition, a stock receipt or a stock return prints as (the caller
    has checked access)."""
    from crm.marketing.models import Requisition, StockReceipt, StockReturn

    tenant = doc.tenant
    data_uri, logo_bytes = _logo(tenant)
    lines = _lines(doc)
    if isinstance(doc, Requisition):
        title = _("requisition")
        date = doc.issued_at or doc.approved_at or doc.submitted_at or doc.created_at
        facts = _facts_of_requisition(doc)
        signatures = [
            (_("requester"), _name(doc.requester)),
            (_("approved by"), _name(doc.approved_by)),
            (_("stock keeper"), _name(doc.issued_by)),
            (_("received by"), ""),
        ]
    elif isinstance(doc, StockReceipt):
        title = _("stock receipt")
        date = doc.confirmed_at or doc.created_at
        facts = [
            (_("supplier"), doc.supplier),
            (_("created by"), _name(doc.created_by)),
            (_("confirmed at"), _date(doc.confirmed_at)),
            (_("note"), doc.note),
        ]
        signatures = [
            (_("delivered by"), ""),
            (_("stock keeper"), _name(doc.confirmed_by)),
            (_("created by"), _name(doc.created_by)),
        ]
    elif isinstance(doc, StockReturn):
        req = doc.requisition
        title = _("stock return")
        date = doc.confirmed_at or doc.created_at
        facts = [
            (_("requisition"), req.number),
            (_("requester"), _name(req.requester)),
            (_("purpose"), req.purpose),
            (_("marketing event"), req.marketing_event.name if req.marketing_event_id else ""),
            (_("confirmed at"), _date(doc.confirmed_at)),
            (_("note"), doc.note),
        ]
        signatures = [
            (_("returned by"), _name(doc.created_by)),
            (_("stock keeper"), _name(doc.confirmed_by)),
        ]
    else:  # pragma: no cover - the endpoint is only on these three
        raise TypeError(type(doc).__name__)
    return StockDocument(
        kind=doc._meta.model_name,
        title=title,
        number=doc.number,
        status=str(doc.get_status_display()),
        date=timezone.localtime(date).date() if hasattr(date, "tzinfo") else date,
        company=_company(tenant),
        logo_data_uri=data_uri,
        logo_bytes=logo_bytes,
        lines=lines,
        total_quantity=sum((ln.quantity for ln in lines), Decimal("0")),
        total=sum((ln.amount for ln in lines), Decimal("0.00")),
        facts=[(label, value) for label, value in facts if value],
        signatures=signatures,
    )


def render_html(doc) -> str:
    return render_to_string("marketing/document.html", {"doc": document_data(doc)})


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
    num = ParagraphStyle("num", parent=small, alignment=TA_RIGHT)
    title = ParagraphStyle("title", parent=base, fontSize=18, leading=24, alignment=TA_CENTER)

    def p(text, style=small):
        return Paragraph(escape(str(text or "")), style)

    story = []
    head = [p(data.company["name"], ParagraphStyle("co", parent=base, fontSize=13, leading=18))]
    for key in ("address", "phone"):
        if data.company.get(key):
            head.append(p(data.company[key]))
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
    story += [Spacer(1, 5 * mm), p(data.title, title), Spacer(1, 3 * mm)]
    facts = [
        [p(_("number")), p(data.number), p(_("Date")), p(_date(data.date))],
        [p(_("status")), p(data.status), "", ""],
    ]
    for pair in data.fact_rows:
        facts.append([p(text) for label_value in pair for text in label_value])
    story.append(Table(facts, colWidths=[24 * mm, 63 * mm, 24 * mm, 63 * mm]))
    story.append(Spacer(1, 4 * mm))
    header = [_("No."), _("code"), _("name"), _("unit"), _("quantity"), _("unit cost"), _("amount")]
    rows = [[p(h) for h in header]]
    for line in data.lines:
        rows.append(
            [
                p(line.position, num),
                p(line.code),
                p(line.name),
                p(line.unit),
                p(line.quantity_text, num),
                p(line.unit_cost_text, num),
                p(line.amount_text, num),
            ]
        )
    rows.append(
        [
            p(_("Total")),
            "",
            "",
            "",
            p(data.total_quantity_text, num),
            "",
            p(data.total_text, num),
        ]
    )
    rows.append([p(_("Total in words")), p(data.total_capitals), "", "", "", "", ""])
    table = Table(rows, colWidths=[12 * mm, 24 * mm, 50 * mm, 14 * mm, 20 * mm, 26 * mm, 28 * mm])
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                ("SPAN", (0, -2), (3, -2)),
                ("SPAN", (1, -1), (-1, -1)),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    story += [table, Spacer(1, 12 * mm)]
    width = 174 / len(data.signatures)
    sign = [
        [p(role, base) for role, _who in data.signatures],
        [p(who) for _role, who in data.signatures],
        [p(_("Signature / seal:")) for _s in data.signatures],
        [p(_("Date:")) for _s in data.signatures],
    ]
    story.append(
        Table(
            sign,
            colWidths=[width * mm] * len(data.signatures),
            rowHeights=[None, None, 14 * mm, None],
        )
    )
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
