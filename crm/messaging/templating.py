"""Message templates: placeholders, their check on save, rendering and preview.

A placeholder is ``{{name}}`` with one of the names of ``PLACEHOLDERS``
(Chinese, as users write them); anything else between double braces is
refused on save, naming it. A record (a contact, a customer, or any record with
a customer, an owner, an amount) gives the values; an SMS template keeps its
provider's approved template code and signature.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from crm.core.errors import Invalid
from crm.core.writes import audited_create, audited_delete, audited_update, refuse_unknown
from crm.messaging.models import ChannelKind, MessageTemplate

PATTERN = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
PLACEHOLDERS = {
    "客户名称": gettext_lazy("the customer's name"),
    "联系人": gettext_lazy("the contact's name"),
    "负责人": gettext_lazy("the owner's name"),
    "手机": gettext_lazy("the contact's mobile"),
    "公司名称": gettext_lazy("our company's name"),
    "日期": gettext_lazy("today's date (YYYY-MM-DD)"),
    "金额": gettext_lazy("the record's amount (¥1,234.50)"),
    "到期日": gettext_lazy("the record's due or end date"),
}
TEMPLATE_FIELDS = (
    "name",
    "channel_kind",
    "subject",
    "body",
    "marketing",
    "sms_template_code",
    "sms_sign_name",
)
#: SMS segment sizes: a message of at most 70 characters (UCS-2, i.e. any Chinese) is
#: one segment; a longer one is split into parts of 67 characters each (3 characters
#: of each part carry the concatenation header). GSM-7 text: 160, parts of 153.
SMS_SINGLE, SMS_PART = 70, 67
GSM_SINGLE, GSM_PART = 160, 153


def placeholders_in(text: str) -> list[str]:
    return [m.group(1) for m in PATTERN.finditer(text or "")]


def placeholder_errors(
    fields: dict[str, Any],
    names: tuple[str, ...],
    *,
    known=PLACEHOLDERS,
    pattern: re.Pattern = PATTERN,
    shown: str = "{{%s}}",
) -> dict[str, list[str]]:
    """The placeholder check on save, per field of ``names`` present in ``fields``:
    braces that do not pair up (``{{客户名称}``, ``{客户名称}}``, a lone ``}``) are
    refused, named as written (they would be sent as typed); then every ``pattern``
    match whose first group is not a ``known`` name is refused, named as ``shown``.
    Other texts with placeholders (care greetings) reuse it with their own syntax; a
    match without a group (a lone brace) is named as written."""
    errors: dict[str, list[str]] = {}
    for name in names:
        text = str(fields.get(name) or "")
        messages = []
        unbalanced = [m.group(0) for m in BRACES.finditer(text) if not _balanced(m)]
        if unbalanced:
            messages.append(
                _("Unbalanced braces: %(parts)s. Write a placeholder as %(example)s.")
                % {
                    "parts": listed(_clip(part) for part in unbalanced),
                    "example": shown % next(iter(known), ""),
                }
            )
            # Named once: not again below as lone braces of an unknown placeholder.
            text = BRACES.sub(lambda m: m.group(0) if _balanced(m) else " ", text)
        unknown = [
            m.group(0) if m.group(1) is None else shown % m.group(1)
            for m in pattern.finditer(text)
            if m.group(1) not in known
        ]
        if unknown:
            messages.append(_("Unknown placeholder: %(names)s.") % {"names": listed(unknown)})
        if messages:
            errors[name] = messages
    return errors


def listed(parts) -> str:
    """Distinct parts in order, joined by the language's list separator (、 in Chinese)."""
    return pgettext("list separator", ", ").join(dict.fromkeys(parts))


#: A run of opening braces, the text up to the next brace and a run of closing ones
#: (it must open and close with as many braces); else a run of either alone, with a
#: little of the text after (an opening run) or before (a closing one) to name it by.
BRACES = re.compile(r"(\{+)([^{}]*)(\}+)|\{+[^{}]{0,20}|[^{}]{0,20}\}+")


def _balanced(match: re.Match) -> bool:
    return match.group(1) is not None and len(match.group(1)) == len(match.group(3))


def _clip(part: str, limit: int = 30) -> str:
    return part if len(part) <= limit else part[: limit - 1] + "…"


def check(fields: dict[str, Any], current: MessageTemplate | None = None) -> None:
    kind = fields.get("channel_kind", getattr(current, "channel_kind", ""))
    errors = placeholder_errors(fields, ("subject", "body"))
    if "body" in fields and not str(fields["body"]).strip():
        errors["body"] = [_("This field may not be blank.")]
    if kind == ChannelKind.SMS:
        code = fields.get("sms_template_code", getattr(current, "sms_template_code", ""))
        sign = fields.get("sms_sign_name", getattr(current, "sms_sign_name", ""))
        if not code:
            errors["sms_template_code"] = [_("An SMS template needs the provider's template code.")]
        if not sign:
            errors["sms_sign_name"] = [_("An SMS template needs the provider's signature.")]
    if errors:
        raise Invalid(fields=errors)


def template_create(*, tenant, actor, **fields) -> MessageTemplate:
    refuse_unknown(fields, TEMPLATE_FIELDS)
    check(fields)
    return audited_create(MessageTemplate, tenant=tenant, actor=actor, fields=fields)


def template_update(template: MessageTemplate, *, tenant, actor, **fields) -> MessageTemplate:
    refuse_unknown(fields, TEMPLATE_FIELDS)
    check(fields, template)
    audited_update(template, tenant=tenant, actor=actor, fields=fields)
    return template


def template_delete(template: MessageTemplate, *, tenant, actor) -> None:
    audited_delete(template, tenant=tenant, actor=actor)


def _money(value) -> str:
    return f"¥{Decimal(value):,.2f}"


def context_of(record, tenant=None) -> dict[str, str]:
    """Placeholder values from a record (contact, customer, or one with a customer)."""
    values = {"日期": timezone.localdate().isoformat()}
    tenant = tenant or getattr(record, "tenant", None)
    if tenant is not None:
        values["公司名称"] = getattr(tenant, "name", "") or ""
    if record is None:
        return values
    customer = getattr(record, "customer", None)
    if record._meta.model_name == "customer":
        customer = record
    else:
        is_contact = record._meta.model_name == "contact"
        values["联系人"] = getattr(record, "name", "") if is_contact else ""
        contact = getattr(record, "contact", None)
        if contact is not None:
            values["联系人"] = contact.name
    if record._meta.model_name == "contact":
        values["手机"] = record.mobile
    if customer is not None:
        values["客户名称"] = customer.name
        owner = getattr(customer, "owner", None)
        if owner is not None:
            values["负责人"] = owner.full_name or owner.username
    owner = getattr(record, "owner", None)
    if owner is not None and "负责人" not in values:
        values["负责人"] = owner.full_name or owner.username
    for name in ("amount", "total", "value"):
        amount = getattr(record, name, None)
        if isinstance(amount, int | float | Decimal):
            values["金额"] = _money(amount)
            break
    for name in ("due_on", "ends_on", "end_date", "expires_on", "due_at"):
        when = getattr(record, name, None)
        if when:
            values["到期日"] = when.date().isoformat() if hasattr(when, "date") else str(when)
            break
    return values


def render(text: str, values: dict[str, str]) -> str:
    return PATTERN.sub(lambda m: str(values.get(m.group(1), "")), text or "")


def sms_segments(text: str) -> int:
    """Segments a message is billed as: GSM-7 text 160 (parts of 153), anything else
    (Chinese) 70 (parts of 67)."""
    n = len(text)
    if n == 0:
        return 0
    single, part = (GSM_SINGLE, GSM_PART) if text.isascii() else (SMS_SINGLE, SMS_PART)
    return 1 if n <= single else -(-n // part)


def sms_text(template: MessageTemplate, body: str) -> str:
    """What the phone shows: 【signature】 then the text (the signature counts)."""
    return f"【{template.sms_sign_name}】{body}" if template.sms_sign_name else body


def preview(template: MessageTemplate, record=None) -> dict[str, Any]:
    values = context_of(record, template.tenant)
    body = render(template.body, values)
    out: dict[str, Any] = {
        "subject": render(template.subject, values),
        "body": body,
        "values": values,
    }
    if template.channel_kind == ChannelKind.SMS:
        text = sms_text(template, body)
        out.update(text=text, characters=len(text), segments=sms_segments(text))
    return out
