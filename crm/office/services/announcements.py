"""Announcements: drafts are written and changed here, states move through the
engine (``workflows.announcement``); publishing notifies the audience after commit."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_scopes import scope

from crm.core.models import User
from crm.core.writes import audited_create, audited_delete, audited_update, check_same_tenant
from crm.office.models import Announcement, AnnouncementRead, Audience
from workflows.announcement import AnnouncementStatus

FIELDS = ("title", "body", "audience", "pinned")


def _set_audience(obj: Announcement, tenant, teams, roles, *, audience) -> dict[str, Any]:
    """Store the teams or the roles the audience targets; the other list (both, for
    "everyone") is emptied, whatever was sent: a client may send all three fields (the
    web form hides the list the audience does not target), and a list left over from
    another audience would read as if it were targeted."""
    changes: dict[str, Any] = {}
    targeted = {"teams": audience == Audience.TEAMS, "roles": audience == Audience.ROLES}
    for name, values in (("teams", teams), ("roles", roles)):
        if not targeted[name]:
            if obj.pk is not None and getattr(obj, name).exists():
                getattr(obj, name).clear()
                changes[name] = []
            continue
        if values is None:
            continue
        check_same_tenant(tenant, **{f"{name}[{i}]": v for i, v in enumerate(values)})
        getattr(obj, name).set(values)
        changes[name] = sorted(v.pk for v in values)
    return changes


def announcement_create(*, tenant, actor, teams=None, roles=None, **data: Any) -> Announcement:
    with transaction.atomic():
        obj = audited_create(
            Announcement,
            tenant=tenant,
            actor=actor,
            fields={k: v for k, v in data.items() if k in FIELDS},
            prepare=lambda a: setattr(a, "author", actor),
        )
        _set_audience(obj, tenant, teams, roles, audience=obj.audience)
    return obj


def announcement_update(
    obj: Announcement, *, tenant, actor, teams=None, roles=None, **data: Any
) -> Announcement:
    with transaction.atomic():
        audience = data.get("audience", obj.audience)
        extra = _set_audience(obj, tenant, teams, roles, audience=audience)
        audited_update(
            obj, tenant=tenant, actor=actor, fields=data, allowed=FIELDS, extra_changes=extra
        )
    return obj


def announcement_delete(obj: Announcement, *, tenant, actor) -> None:
    audited_delete(obj, tenant=tenant, actor=actor)


def audience_users(announcement: Announcement):
    """The active people the announcement is for (a queryset of users)."""
    users = User.objects.filter(tenant_id=announcement.tenant_id, is_active=True, is_system=False)
    if announcement.audience == Audience.TEAMS:
        users = users.filter(team__in=announcement.teams.all())
    elif announcement.audience == Audience.ROLES:
        users = users.filter(roles__in=announcement.roles.all()).distinct()
    return users


def visible_announcements(qs, user):
    """Announcements ``user`` is in the audience of (drafts: only their author's)."""
    return qs.filter(
        Q(author=user)
        | (
            ~Q(status="draft")
            & (
                Q(audience=Audience.ALL)
                | Q(audience=Audience.TEAMS, teams=user.team_id)
                | Q(audience=Audience.ROLES, roles__in=user.roles.all())
            )
        )
    ).distinct()


def announcement_mark_read(announcement: Announcement, *, user) -> AnnouncementRead | None:
    """Record that ``user`` read it (once; a second read keeps the first moment).

    An archived announcement takes no new receipt (None): it was withdrawn, and
    its receipts say who read it while it was out. Opening one is no error for
    the reader, so this answers the state as it is instead of refusing."""
    if announcement.status == AnnouncementStatus.ARCHIVED:
        return AnnouncementRead.objects.filter(announcement=announcement, user=user).first()
    receipt, _created = AnnouncementRead.objects.get_or_create(
        tenant_id=announcement.tenant_id, announcement=announcement, user=user
    )
    return receipt


def announcement_notify(*, announcement_id: int) -> int:
    """Notify the audience of a published announcement: one bulk insert; the e-mails
    go through the notifications actor after commit. Returns how many were made."""
    from crm.activities.models import Notification
    from crm.activities.services import notify_many

    obj = Announcement._base_manager.filter(pk=announcement_id).first()
    if obj is None or obj.status != "published":
        return 0
    from django.contrib.contenttypes.models import ContentType

    ct = ContentType.objects.get_for_model(Announcement)
    with scope(tenant=obj.tenant_id), transaction.atomic():
        recipients = list(
            audience_users(obj).exclude(pk=obj.author_id).values_list("pk", flat=True)
        )
        notes = [
            Notification(
                tenant_id=obj.tenant_id,
                recipient_id=pk,
                title=obj.title,
                body=obj.body[:1000],
                link=f"/announcements/{obj.pk}",
                content_type=ct,
                object_id=obj.pk,
                created_at=timezone.now(),
            )
            for pk in recipients
        ]
        notify_many(notes)
    return len(notes)
