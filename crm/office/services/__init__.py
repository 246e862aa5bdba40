"""Services of the office module: attachments and announcements (the only writers)."""

from crm.office.services.announcements import (
    announcement_create,
    announcement_delete,
    announcement_mark_read,
    announcement_notify,
    announcement_update,
    audience_users,
)
from crm.office.services.attachments import (
    attachment_create,
    attachment_delete,
    attachment_usage,
    sniff,
)

__all__ = [
    "announcement_create",
    "announcement_delete",
    "announcement_mark_read",
    "announcement_notify",
    "announcement_update",
    "attachment_create",
    "attachment_delete",
    "attachment_usage",
    "audience_users",
    "sniff",
]
