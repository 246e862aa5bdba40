"""Unsubscribe: signed one-click links, 回复TD/退订 replies, the suppression list.

Every marketing e-mail carries a link ``/api/v1/unsubscribe/<token>/`` (and the
``List-Unsubscribe`` / ``List-Unsubscribe-Post: List-Unsubscribe=One-Click``
headers of RFC 8058); the token is the (company, channel kind, address)
signed with the site key (``django.core.signing``, salt below), so nobody
unsubscribes someone else by guessing. An SMS reply of TD, T or 退订 reaches
``/api/v1/sms/inbound/<channel id>/`` (the provider's upstream-message
callback, signed with the channel's secret when it has one). Both add the
address to the company's suppression list, which every marketing send checks
(at expansion and again right before sending). Staff reminders never do.
"""

from __future__ import annotations

import hashlib
import hmac
import re

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError

from crm.core.validators import normalize_mobile
from crm.messaging.models import ChannelKind, Suppression

SALT = "messaging.unsubscribe"  # the links sent with a timestamp, still honoured
LINK_SALT = "messaging.unsubscribe.link"
STOP_WORDS = re.compile(r"^\s*(TD|T|N|退订|取消|STOP|UNSUBSCRIBE)\s*$", re.IGNORECASE)


def token(tenant_id: int, kind: str, address: str) -> str:
    """The same token for the same address, whenever it is made: without a
    timestamp, a message's List-Unsubscribe header and its footer carry one link
    even when they are built a second apart (``signing.dumps`` stamps the time)."""
    return signing.Signer(salt=LINK_SALT).sign_object([tenant_id, kind, address], compress=True)


def read(value: str) -> tuple[int, str, str] | None:
    try:
        try:
            tenant_id, kind, address = signing.Signer(salt=LINK_SALT).unsign_object(value)
        except signing.BadSignature:
            # Links sent before tokens lost their timestamp (``signing.dumps``).
            tenant_id, kind, address = signing.loads(value, salt=SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return int(tenant_id), str(kind), str(address)


def link(tenant_id: int, kind: str, address: str) -> str:
    return f"{settings.APP_BASE_URL}/api/v1/unsubscribe/{token(tenant_id, kind, address)}/"


def footer(tenant_id: int, kind: str, address: str) -> str:
    return f"退订 / Unsubscribe: {link(tenant_id, kind, address)}"


def headers(delivery) -> dict[str, str]:
    """The List-Unsubscribe headers of a marketing e-mail."""
    url = link(delivery.tenant_id, ChannelKind.EMAIL, delivery.recipient)
    return {
        "List-Unsubscribe": f"<{url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def address_key(kind: str, address: str) -> str:
    """The one spelling of an address on the suppression list and in its look-ups:
    a mobile in E.164 (as contacts keep it: ``138 0013 8000`` and the provider's
    ``13800138000`` are ``+8613800138000``), an e-mail in lower case. A number that
    is not a mainland mobile stays as given (trimmed)."""
    value = (address or "").strip()
    if kind == ChannelKind.SMS:
        try:
            return normalize_mobile(value)
        except ValidationError:
            return value
    if kind == ChannelKind.EMAIL:
        return value.lower()
    return value


def keys_of(kind: str, addresses) -> set[str]:
    return {address_key(kind, a) for a in addresses}


def suppress(tenant_id: int, kind: str, address: str, reason: str) -> bool:
    """Add ``address``; True when it was not on the list yet."""
    _, made = Suppression.objects.get_or_create(
        tenant_id=tenant_id,
        channel_kind=kind,
        address=address_key(kind, address),
        defaults={"reason": reason},
    )
    return made


def is_stop(text: str) -> bool:
    return bool(STOP_WORDS.match(text or ""))


def inbound_signature(secret: str, body: bytes) -> str:
    """The signature our SMS inbound callback checks: hex HMAC-SHA256 of the raw body
    keyed with the channel's secret (header ``X-Signature``)."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def inbound_ok(secret: str, body: bytes, signature: str) -> bool:
    if not secret:
        return True
    return hmac.compare_digest(inbound_signature(secret, body), signature or "")
