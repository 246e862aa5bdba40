"""Attachments: the type is decided by the file's content, the size by the tenant's
limits; a file on a confirmed (frozen) record stays."""

from __future__ import annotations

import filetype
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from crm.core import audit
from crm.core.errors import Frozen, Invalid
from crm.core.models import Tenant
from crm.core.writes import audited_delete, check_same_tenant
from crm.office.models import ATTACHABLE_FIELDS, Attachment

MB = 1024 * 1024
# What the bytes may be: office documents, PDF, images and archives.
ALLOWED_TYPES = frozenset(
    {
        "application/pdf",
        "application/msword",
        "application/vnd.ms-excel",
        "application/vnd.ms-powerpoint",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "application/vnd.oasis.opendocument.presentation",
        "application/rtf",
        "image/jpeg",
        "image/png",
        "image/gif",
        "image/webp",
        "image/bmp",
        "image/tiff",
        "image/heic",
        "application/zip",
        "application/x-rar-compressed",
        "application/x-7z-compressed",
        "application/gzip",
    }
)
# Images a browser shows inline as their own preview.
PREVIEWABLE = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp", "image/bmp"})
EXECUTABLE_MAGIC = (b"MZ", b"\x7fELF", b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe", b"#!")


def sniff(upload) -> str:
    """The MIME type of the upload's bytes, or ``Invalid`` naming ``file``.

    An executable (PE ``MZ``, ELF, Mach-O, a script) is refused whatever its name
    says; so is anything not an office document, PDF, image or archive.
    """
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    if not head:
        raise Invalid(fields={"file": [_("The file is empty.")]})
    if head.startswith(EXECUTABLE_MAGIC):
        raise Invalid(fields={"file": [_("Programs cannot be attached.")]})
    kind = filetype.guess(head)
    if kind is None or kind.mime not in ALLOWED_TYPES:
        raise Invalid(
            fields={
                "file": [
                    _(
                        "This type of file cannot be attached: send an office document, "
                        "a PDF, an image or an archive (zip, rar, 7z)."
                    )
                ]
            }
        )
    return kind.mime


# Names a type may carry besides its canonical extension (filetype's).
_OLE = frozenset({"doc", "dot", "xls", "xlt", "ppt", "pot", "wps", "et", "dps", "msg"})
_OOXML = frozenset({"docx", "docm", "dotx", "xlsx", "xlsm", "xltx", "pptx", "pptm", "potx"})
_ODF = frozenset({"odt", "ods", "odp", "ott", "ots", "otp"})
EXTENSION_ALIASES = {
    "image/jpeg": frozenset({"jpg", "jpeg", "jpe", "jfif"}),
    "image/tiff": frozenset({"tif", "tiff"}),
    "application/gzip": frozenset({"gz", "tgz"}),
    "application/zip": frozenset({"zip"}) | _OOXML | _ODF,
    "application/msword": _OLE,
    "application/vnd.ms-excel": _OLE,
    "application/vnd.ms-powerpoint": _OLE,
}


def stored_name(name: str, mime: str) -> str:
    """``name`` with an extension that says what the bytes are: a PDF uploaded as
    ``a.html`` or ``a.exe`` is kept as ``a.html.pdf``, so the downloaded copy
    opens as what was checked, never as a page or a program."""
    kind = filetype.get_type(mime=mime)
    if kind is None:
        return name
    extension = name.rsplit(".", 1)[1].lower() if "." in name.strip(".") else ""
    if extension in EXTENSION_ALIASES.get(mime, frozenset()) | {kind.extension}:
        return name
    suffix = f".{kind.extension}"
    return name[: 255 - len(suffix)] + suffix


def attachment_usage(tenant) -> int:
    """Bytes of attachments the tenant stores."""
    return Attachment.objects.filter(tenant=tenant).aggregate(total=Sum("size"))["total"] or 0


def attachment_create(*, tenant, actor, file, **record) -> Attachment:
    """Store ``file`` on the one record named in ``record`` (``customer=...``...).

    The per-file cap and the tenant's quota come from its settings
    (``attachment_max_mb``, ``attachment_quota_mb``); the tenant row is locked
    while the quota is checked, so two uploads cannot both squeeze under it.
    """
    given = {k: v for k, v in record.items() if k in ATTACHABLE_FIELDS and v is not None}
    if len(given) != 1:
        message = _("Attach the file to exactly one record.")
        raise Invalid(fields={name: [message] for name in (given or ATTACHABLE_FIELDS)})
    check_same_tenant(tenant, **given)
    mime = sniff(file)
    size = file.size
    cap = tenant.setting("attachment_max_mb") * MB
    if size > cap:
        raise Invalid(
            fields={
                "file": [
                    _("The file is larger than %(mb)d MB.")
                    % {"mb": tenant.setting("attachment_max_mb")}
                ]
            }
        )
    with transaction.atomic():
        Tenant.objects.select_for_update().filter(pk=tenant.pk).first()
        quota = tenant.setting("attachment_quota_mb") * MB
        if attachment_usage(tenant) + size > quota:
            raise Invalid(
                fields={
                    "file": [
                        _("The company's storage for attachments (%(mb)d MB) is full.")
                        % {"mb": tenant.setting("attachment_quota_mb")}
                    ]
                }
            )
        name = stored_name((getattr(file, "name", "") or "file").rsplit("/", 1)[-1][:255], mime)
        obj = Attachment(
            tenant=tenant,
            name=name,
            size=size,
            content_type=mime,
            uploaded_by=actor,
            **given,
        )
        obj.file.save(name, file, save=False)
        # A rolled-back insert must not leave the stored file behind.
        stored = obj.file.name
        storage = obj.file.storage
        try:
            obj.save()
            audit.record(
                tenant=tenant,
                actor=actor,
                action="create",
                obj=obj,
                changes={"name": name, "size": size, "content_type": mime},
            )
        except Exception:
            storage.delete(stored)
            raise
    return obj


def _not_frozen_record(attachment: Attachment) -> None:
    """A file on a confirmed document (signed contract, confirmed payment, approved
    quote: the record's own freeze rules) is part of the record and stays."""
    field = attachment.record_field
    record = getattr(attachment, field) if field else None
    stored_frozen = getattr(record, "stored_frozen", None)
    if stored_frozen is not None and stored_frozen():
        raise Frozen(_("The record is confirmed: its attachments cannot be removed."))


def attachment_delete(attachment: Attachment, *, tenant, actor) -> None:
    with transaction.atomic():
        audited_delete(attachment, tenant=tenant, actor=actor, check=_not_frozen_record)
        stored, storage = attachment.file.name, attachment.file.storage
        transaction.on_commit(lambda: storage.delete(stored))
