"""Invitations and password resets: one-time links that let a user set a password.

An administrator invites people by e-mail (``invite_users``): each gets a user
of the company with no usable password and a link (``/invite/<key>``) to set
one. A reset (``send_reset``) mails the same kind of link to an existing user.
A link works once and until it expires; only its SHA-256 digest is stored;
issuing a new link for a user voids the older unused ones. The mail leaves
after the commit, through Django's mail API.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from crm.core import audit
from crm.core import services as core_services
from crm.core.errors import Invalid
from crm.core.models import Invitation, Role, Team, User
from crm.core.writes import audited_create

TTL = {Invitation.Kind.INVITE: timedelta(days=7), Invitation.Kind.RESET: timedelta(hours=24)}
MAX_EMAILS = 50


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def issue_link(user: User, *, kind: str, actor: User | None) -> str:
    """A new link's key for ``user`` (older unused links of the user stop working)."""
    key = secrets.token_urlsafe(32)
    Invitation.objects.filter(user=user, used_at__isnull=True).delete()
    Invitation.objects.create(
        user=user,
        kind=kind,
        digest=_digest(key),
        created_by=actor,
        expires_at=timezone.now() + TTL[kind],
    )
    return key


def _mail(user: User, *, kind: str, link: str, company: str) -> None:
    with translation.override(user.language or settings.LANGUAGE_CODE):
        if kind == Invitation.Kind.INVITE:
            subject = _("You are invited to %(company)s on Shanghui CRM") % {"company": company}
            body = _(
                "Hello,\n\nyou are invited to %(company)s on Shanghui CRM. Your username is "
                "%(username)s. Open this link within 7 days to set your password:\n\n%(link)s\n"
            ) % {"company": company, "username": user.username, "link": link}
        else:
            subject = _("Set a new password for Shanghui CRM")
            body = _(
                "Hello,\n\nan administrator of %(company)s asked for a new password for "
                "%(username)s. Open this link within 24 hours to set it:\n\n%(link)s\n"
            ) % {"company": company, "username": user.username, "link": link}
    send_mail(subject, body, None, [user.email])


def _send_after_commit(user: User, *, kind: str, key: str, base_url: str) -> None:
    link = f"{base_url.rstrip('/')}/invite/{key}"
    company = user.tenant.name
    transaction.on_commit(lambda: _mail(user, kind=kind, link=link, company=company))


def send_invitation(user: User, *, actor: User | None, base_url: str) -> None:
    """Issue ``user`` an invitation link and mail it after the commit (the import's path)."""
    key = issue_link(user, kind=Invitation.Kind.INVITE, actor=actor)
    _send_after_commit(user, kind=Invitation.Kind.INVITE, key=key, base_url=base_url)


def _clean_emails(emails) -> list[str]:
    if not isinstance(emails, list) or not emails:
        raise Invalid(fields={"emails": [_("Enter at least one e-mail address.")]})
    if len(emails) > MAX_EMAILS:
        raise Invalid(
            fields={"emails": [_("Invite at most %(n)d people at once.") % {"n": MAX_EMAILS}]}
        )
    out, problems = [], []
    for raw in emails:
        email = str(raw).strip().lower()
        try:
            validate_email(email)
        except Exception:
            problems.append(_("“%(value)s” is not an e-mail address.") % {"value": raw})
            continue
        if email in out:
            continue
        if User.objects.filter(username__iexact=email).exists() or (
            User.objects.filter(email__iexact=email, is_active=True).exists()
        ):
            problems.append(_("%(value)s already has an account.") % {"value": email})
            continue
        out.append(email)
    if problems:
        raise Invalid(fields={"emails": problems})
    return out


def invite_users(
    *, tenant, actor: User, emails, roles: list[Role], team: Team | None = None, base_url: str
) -> list[User]:
    """Create a user per address (username = the address) and mail each a link."""
    addresses = _clean_emails(emails)
    for role in roles:
        if role.tenant_id != tenant.pk:
            raise Invalid(fields={"roles": [_("Unknown role.")]})
    if team is not None and team.tenant_id != tenant.pk:
        raise Invalid(fields={"team": [_("Unknown team.")]})
    created = []
    with transaction.atomic():
        for email in addresses:
            user = audited_create(
                User,
                tenant=tenant,
                actor=actor,
                fields={"username": email, "email": email, "team": team},
                prepare=lambda new: new.set_unusable_password(),
                extra_changes={"roles": [r.pk for r in roles], "invited": True},
            )
            user.roles.set(roles)
            key = issue_link(user, kind=Invitation.Kind.INVITE, actor=actor)
            _send_after_commit(user, kind=Invitation.Kind.INVITE, key=key, base_url=base_url)
            created.append(user)
    return created


def send_reset(user: User, *, tenant, actor: User, base_url: str) -> None:
    """Mail ``user`` a link to set a new password (the old one keeps working until then)."""
    if user.tenant_id != tenant.pk or user.is_system:
        raise Invalid(fields={"user": [_("Unknown user.")]})
    if not user.is_active:
        raise Invalid(fields={"user": [_("This user is deactivated.")]})
    if not user.email:
        raise Invalid(fields={"email": [_("This user has no e-mail address.")]})
    with transaction.atomic():
        key = issue_link(user, kind=Invitation.Kind.RESET, actor=actor)
        audit.record(tenant=tenant, actor=actor, action="password_reset_sent", obj=user, changes={})
        _send_after_commit(user, kind=Invitation.Kind.RESET, key=key, base_url=base_url)


def find_link(key: str) -> Invitation:
    """The link's row if it can still be used; Invalid saying why otherwise."""
    link = (
        Invitation.objects.select_related("user", "user__tenant")
        .filter(digest=_digest(key or ""))
        .first()
    )
    if link is None:
        raise Invalid(fields={"token": [_("This link is not valid.")]})
    if link.used_at is not None:
        raise Invalid(fields={"token": [_("This link has already been used.")]})
    if link.expires_at <= timezone.now():
        raise Invalid(fields={"token": [_("This link has expired: ask for a new one.")]})
    if not link.user.is_active:
        raise Invalid(fields={"token": [_("This account is deactivated.")]})
    return link


def accept(key: str, *, password: str, full_name: str | None = None) -> User:
    """Use the link: set the password (and the name), once. Returns the user."""
    if not password:
        raise Invalid(fields={"password": [_("Enter a password.")]})
    with transaction.atomic():
        link = find_link(key)
        link = Invitation.objects.select_for_update().get(pk=link.pk)
        if link.used_at is not None:  # a second request with the same link won the race
            raise Invalid(fields={"token": [_("This link has already been used.")]})
        user = link.user
        data = {}
        if full_name is not None and full_name.strip():
            data["full_name"] = full_name.strip()[:100]
        core_services.user_update(user, tenant=user.tenant, actor=user, password=password, **data)
        link.used_at = timezone.now()
        link.save(update_fields=["used_at"])
        audit.record(
            tenant=user.tenant,
            actor=user,
            action="invitation_accepted"
            if link.kind == Invitation.Kind.INVITE
            else "password_reset",
            obj=user,
            changes={},
        )
    return user
