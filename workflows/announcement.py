"""The Announcement process (公告): draft -> published -> archived.

``publish`` needs a title and, for a team or role audience, at least one team or
role; it stamps ``published_at`` and, after commit, notifies the audience in one
bulk insert (``crm.office.services.announcement_notify``). ``archive`` takes a
published announcement off the boards (it is no longer pinned on the workbench).
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from crm.core.permissions import transition_code
from workflows.process import (
    GuardContext,
    Process,
    Step,
    TransitionInputs,
    optional_text,
    register,
)


class AnnouncementStatus(models.TextChoices):
    DRAFT = "draft", _lazy("draft")
    PUBLISHED = "published", _lazy("published")
    ARCHIVED = "archived", _lazy("archived")


S = AnnouncementStatus


def _code(name: str) -> str:
    return transition_code("announcement", name)


class AnnouncementProcessMixin(ConcurrentTransitionMixin, models.Model):
    status = FSMField(
        _lazy("status"), default=S.DRAFT, choices=AnnouncementStatus.choices, protected=True
    )
    published_at = models.DateTimeField(_lazy("published at"), null=True, blank=True)
    archived_at = models.DateTimeField(_lazy("archived at"), null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_frozen(self) -> bool:
        """A published or archived announcement is not edited (its readers saw it)."""
        return self.status != S.DRAFT

    @transition(status, source=S.DRAFT, target=S.PUBLISHED, permission=_code("publish"))
    def publish(self, actor=None):
        self.published_at = timezone.now()

    @transition(status, source=S.PUBLISHED, target=S.ARCHIVED, permission=_code("archive"))
    def archive(self, actor=None, reason=""):
        self.archived_at = timezone.now()


# --- guards -------------------------------------------------------------------


def has_audience(announcement, ctx: GuardContext):
    if announcement.audience == "teams" and not announcement.teams.exists():
        return _("Choose at least one team for the audience.")
    if announcement.audience == "roles" and not announcement.roles.exists():
        return _("Choose at least one role for the audience.")
    return None


def has_title(announcement, ctx: GuardContext):
    if not announcement.title.strip():
        return _("Give the announcement a title.")
    return None


class AnnouncementPublishInputs(TransitionInputs):
    """Publish takes only the comment every step takes."""


class AnnouncementArchiveInputs(TransitionInputs):
    reason = optional_text(_lazy("reason archived"), max_length=500)


def _notify(pk: int) -> None:
    from crm.office.services import announcement_notify

    announcement_notify(announcement_id=pk)


STEPS = {
    "publish": Step(
        "publish",
        _lazy("Publish"),
        guards=[has_title, has_audience],
        inputs=AnnouncementPublishInputs,
        after_commit=[_notify],
    ),
    "archive": Step("archive", _lazy("Archive"), inputs=AnnouncementArchiveInputs),
}


def register_process() -> Process:
    from crm.office.models import Announcement

    return register(Process("announcement", Announcement, STEPS, [], ui_path="/announcements/{id}"))
