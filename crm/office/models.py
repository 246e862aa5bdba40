"""Attachments on records and company announcements with their read receipts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from crm.core.models import TenantModel
from workflows.announcement import AnnouncementProcessMixin

# The records a file may be attached to: one nullable id field named after each
# (as follow-ups and tasks do) -> (model, label, collection of its viewset).
ATTACHABLE = {
    "customer": ("customers.Customer", _("customer"), "customers"),
    "contact": ("customers.Contact", _("contact"), "contacts"),
    "lead": ("customers.Lead", _("lead"), "leads"),
    "opportunity": ("sales.Opportunity", _("opportunity"), "opportunities"),
    "quote": ("sales.Quote", _("quote"), "quotes"),
    "contract": ("sales.Contract", _("contract"), "contracts"),
    "payment": ("sales.Payment", _("payment"), "payments"),
    "complaint": ("service.Complaint", _("complaint"), "complaints"),
}
ATTACHABLE_FIELDS = tuple(ATTACHABLE)


def _record(name: str):
    model, label, _collection = ATTACHABLE[name]
    return models.ForeignKey(
        model,
        verbose_name=label,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attachments",
    )


def _upload_to(instance, filename: str) -> str:
    # The stored name says nothing about the tenant's data; the original name is kept
    # in ``name`` (and given back on download).
    import uuid

    return f"attachments/{instance.tenant_id}/{uuid.uuid4().hex}"


class Attachment(TenantModel):
    """A file attached to one record, stored through Django's storage API.

    ``content_type`` is what the file's bytes are (sniffed on upload), never what
    its name claims.
    """

    file = models.FileField(_("file"), upload_to=_upload_to, max_length=300)
    name = models.CharField(_("file name"), max_length=255)
    size = models.BigIntegerField(_("size"))
    content_type = models.CharField(_("type"), max_length=120)
    customer = _record("customer")
    contact = _record("contact")
    lead = _record("lead")
    opportunity = _record("opportunity")
    quote = _record("quote")
    contract = _record("contract")
    payment = _record("payment")
    complaint = _record("complaint")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        indexes = [
            models.Index(fields=["tenant", "customer", "-created_at"]),
            models.Index(fields=["tenant", "contract", "-created_at"]),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def record_field(self) -> str | None:
        return next((f for f in ATTACHABLE_FIELDS if getattr(self, f"{f}_id")), None)

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class Audience(models.TextChoices):
    ALL = "all", _("everyone")
    TEAMS = "teams", _("teams")
    ROLES = "roles", _("roles")


class Announcement(AnnouncementProcessMixin, TenantModel):
    """A company announcement (公告): written as a draft, published to its audience
    (everyone, some teams or some roles), archived when it no longer applies."""

    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    audience = models.CharField(
        _("audience"), max_length=10, choices=Audience.choices, default=Audience.ALL
    )
    teams = models.ManyToManyField(
        "core.Team", verbose_name=_("teams"), blank=True, related_name="+"
    )
    roles = models.ManyToManyField(
        "core.Role", verbose_name=_("roles"), blank=True, related_name="+"
    )
    pinned = models.BooleanField(_("pinned"), default=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        indexes = [models.Index(fields=["tenant", "status", "-published_at"])]

    def __str__(self) -> str:
        return self.title


class AnnouncementRead(TenantModel):
    """A read receipt: ``user`` has read ``announcement`` (once)."""

    announcement = models.ForeignKey(Announcement, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(_("read at"), auto_now_add=True)

    class Meta:
        verbose_name = _("read receipt")
        verbose_name_plural = _("read receipts")
        constraints = [
            models.UniqueConstraint(fields=["announcement", "user"], name="announcement_read_once")
        ]
