"""Personal settings' writes: the avatar (the other fields go through ``user_update``)."""

from __future__ import annotations

import filetype
from django.db import transaction
from django.utils.translation import gettext as _

from crm.core.errors import Invalid
from crm.core.writes import audited_save

AVATAR_MAX_BYTES = 1024 * 1024
AVATAR_TYPES = {"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/webp": "webp"}


def check_avatar(upload) -> str:
    if upload is None:
        raise Invalid(fields={"avatar": [_("Choose an image.")]})
    if upload.size > AVATAR_MAX_BYTES:
        raise Invalid(fields={"avatar": [_("An avatar may be at most 1 MB.")]})
    head = upload.read(261)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in AVATAR_TYPES:
        raise Invalid(fields={"avatar": [_("An avatar must be a PNG, JPEG, GIF or WebP image.")]})
    return AVATAR_TYPES[kind.mime]


def avatar_set(user, upload) -> None:
    """Store a new avatar (or none), audited; the old file goes after the commit."""
    extension = check_avatar(upload) if upload is not None else None
    old = user.avatar.name or None
    with transaction.atomic():
        if upload is not None:
            user.avatar.save(f"{user.pk}.{extension}", upload, save=False)
        else:
            user.avatar = ""
        audited_save(
            user,
            tenant=user.tenant,
            actor=user,
            changes={"avatar": [old, user.avatar.name or None]},
        )
    if old and old != user.avatar.name:
        storage = user.avatar.storage
        transaction.on_commit(lambda: storage.delete(old))
