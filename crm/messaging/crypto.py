"""Secrets at rest: Fernet, keyed by ``MESSAGING_KEY`` or a key derived from SECRET_KEY.

Changing the key makes stored secrets unreadable (``decrypt`` then returns ""):
the admin enters them again.
"""

from __future__ import annotations

import base64
import hashlib
import logging

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings

log = logging.getLogger(__name__)


def _fernet() -> Fernet:
    key = getattr(settings, "MESSAGING_KEY", "") or ""
    if key:
        return Fernet(key.encode() if isinstance(key, str) else key)
    digest = hashlib.sha256(b"shanghui-messaging:" + settings.SECRET_KEY.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode() if value else ""


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        log.warning("a stored messaging secret cannot be decrypted (key changed?)")
        return ""
