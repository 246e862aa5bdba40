"""A user's credentials besides the password: API tokens and browser sessions.

The write path for both: issue a token, track a session, revoke one or all.
Saving a user with a new password or deactivated revokes all of them
(``revoke_on_password_change_or_deactivation``), whichever path saved it: the
API's services, the admin site, ``manage.py changepassword``; so a stolen
token or session dies with the old password. Sessions the tracker never saw
(signed in before it existed) end anyway: Django checks the password hash
stored in a session on every request, and an inactive user's session no
longer authenticates.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.signals import user_logged_in
from django.db import connections, transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.db.models.functions import JSONObject
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone

from crm.core import audit
from crm.core.models import ApiToken, Role, User, UserSession

KEY_BYTES = 20  # 40 hex characters, the length of DRF's keys
PREFIX_LENGTH = 8
# A script signing in again and again must not grow the table without end: past this
# many, issuing a token deletes the user's oldest.
MAX_TOKENS_PER_USER = 100
# ``last_used_at`` is written at most this often per token: not one UPDATE per request.
LAST_USED_GRANULARITY = timedelta(minutes=1)
# Session engines that keep a ``Session`` row the tracker can point at.
TRACKED_ENGINES = {
    "django.contrib.sessions.backends.db",
    "django.contrib.sessions.backends.cached_db",
}


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def token_ttl() -> timedelta:
    return timedelta(days=settings.API_TOKEN_TTL_DAYS)


def client_of(request) -> str:
    """What the client says it is (its User-Agent), cut to the column's size."""
    if request is None:
        return ""
    return (request.META.get("HTTP_USER_AGENT") or "")[:200]


def issue_token(*, user: User, client: str = "") -> tuple[ApiToken, str]:
    """A new API token for ``user``; returns the row and the key (shown once, never stored).

    The user's expired tokens, and the oldest past ``MAX_TOKENS_PER_USER``, are
    deleted on the way.
    """
    key = secrets.token_hex(KEY_BYTES)
    now = timezone.now()
    with transaction.atomic():
        ApiToken.objects.filter(user=user, expires_at__lte=now).delete()
        token = ApiToken.objects.create(
            user=user,
            digest=digest(key),
            prefix=key[:PREFIX_LENGTH],
            client=client[:200],
            last_used_at=now,  # issuing it is its first use (a sign-in)
            expires_at=now + token_ttl(),
        )
        surplus = list(
            ApiToken.objects.filter(user=user)
            .order_by("-created_at", "-pk")
            .values_list("pk", flat=True)[MAX_TOKENS_PER_USER:]
        )
        if surplus:
            ApiToken.objects.filter(pk__in=surplus).delete()
    return token, key


def find_token(key: str) -> ApiToken | None:
    """The token with this key, with its user, company and roles (one query), or None.

    Every request needs the user's permission codes and data scope, which come
    from their roles; on PostgreSQL they are read in the token's query (one
    aggregated subquery) instead of a query of their own, always current.
    """
    queryset = ApiToken.objects.select_related("user", "user__tenant").filter(digest=digest(key))
    with_roles = connections[queryset.db].vendor == "postgresql"
    if with_roles:
        queryset = queryset.annotate(role_rows=_roles_subquery())
    # The digest is unique: no ORDER BY (``first()``) needed.
    token = next(iter(queryset[:1]), None)
    if token is not None and with_roles:
        user = token.user
        user.__dict__["_role_rows"] = [_role(row, user) for row in token.role_rows or ()]
    return token


@functools.cache
def _roles_subquery() -> Subquery:
    """Built once: Django copies an expression when a query resolves it."""
    from django.contrib.postgres.aggregates import JSONBAgg

    roles = (
        Role._base_manager.filter(users=OuterRef("user_id"))
        .order_by()
        .values("users")
        .annotate(
            rows=JSONBAgg(
                JSONObject(
                    id="id", name="name", permissions="permissions", data_scope="data_scope"
                ),
                order_by="id",
            )
        )
        .values("rows")
    )
    return Subquery(roles)


def _role(row: dict, user: User) -> Role:
    role = Role(
        id=row["id"],
        tenant_id=user.tenant_id,
        name=row["name"],
        permissions=row["permissions"],
        data_scope=row["data_scope"],
    )
    role._state.adding = False
    role._state.db = user._state.db
    return role


def touch_token(token: ApiToken) -> None:
    """Record a use, at most once per ``LAST_USED_GRANULARITY``."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_GRANULARITY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


def user_tokens(user: User) -> QuerySet[ApiToken]:
    """The user's tokens that still work, newest first."""
    return ApiToken.objects.filter(user=user, expires_at__gt=timezone.now()).order_by(
        "-created_at", "-pk"
    )


def revoke_token(token: ApiToken, *, actor: User) -> None:
    with transaction.atomic():
        if token.user.tenant_id:
            audit.record(
                tenant=token.user.tenant,
                actor=actor,
                action="revoke_token",
                obj=token.user,
                changes={"token": token.prefix},
            )
        token.delete()


# --- sessions -------------------------------------------------------------------------


def sessions_tracked() -> bool:
    return settings.SESSION_ENGINE in TRACKED_ENGINES


def _session_store():
    return import_module(settings.SESSION_ENGINE).SessionStore


def client_ip(request) -> str | None:
    from axes.helpers import get_client_ip_address

    return get_client_ip_address(request)


@receiver(user_logged_in, dispatch_uid="crm.core.credentials.track_session")
def track_session(sender, request, user, **kwargs) -> None:
    """Link a session sign-in (web app or admin) to its user; token sign-ins have none."""
    session = getattr(request, "session", None) if request is not None else None
    if session is None or not sessions_tracked():
        return
    if session.get(SESSION_KEY) != str(user.pk) or not session.session_key:
        return
    if not session.exists(session.session_key):
        session.save()  # a new key is saved once ``login()`` cycled it; make sure of it
    UserSession.objects.update_or_create(
        session_id=session.session_key,
        defaults={"user": user, "client": client_of(request), "ip_address": client_ip(request)},
    )


def user_sessions(user: User) -> QuerySet[UserSession]:
    """The user's signed-in sessions that have not expired, newest first."""
    return (
        UserSession.objects.filter(user=user, session__expire_date__gt=timezone.now())
        .select_related("session")
        .order_by("-created_at", "-pk")
    )


def revoke_session(user_session: UserSession, *, actor: User) -> None:
    """End a session: the browser holding it is signed out at its next request."""
    with transaction.atomic():
        user = user_session.user
        if user.tenant_id:
            audit.record(
                tenant=user.tenant,
                actor=actor,
                action="revoke_session",
                obj=user,
                changes={"session": user_session.pk},
            )
        # Through the engine: a cached_db session leaves its cache too. The
        # tracking row goes with the session row (on_delete=CASCADE).
        _session_store()().delete(user_session.session_id)
        UserSession.objects.filter(pk=user_session.pk).delete()


def revoke_all(
    user: User, *, keep_token_id: int | None = None, keep_session_key: str | None = None
) -> None:
    """Delete every token and end every tracked session of ``user``, except the ones
    the request making the change uses (a user changing their own password stays
    signed in where they did it)."""
    tokens = ApiToken.objects.filter(user=user)
    if keep_token_id is not None:
        tokens = tokens.exclude(pk=keep_token_id)
    tokens.delete()
    sessions = UserSession.objects.filter(user=user)
    if keep_session_key:
        sessions = sessions.exclude(session_id=keep_session_key)
    store = _session_store()()
    for key in list(sessions.values_list("session_id", flat=True)):
        store.delete(key)
    sessions.delete()  # rows whose session was gone already


def keep_on_password_change(
    user: User, *, token_id: int | None = None, session_key: str | None = None
) -> None:
    """The token or session a user changes their own password with stays signed in:
    say so before saving the user."""
    user._keep_credentials = {"keep_token_id": token_id, "keep_session_key": session_key}


@receiver(post_save, sender=User, dispatch_uid="crm.core.credentials.revoke_on_save")
def revoke_on_password_change_or_deactivation(
    sender, instance: User, created: bool, update_fields=None, raw=False, **kwargs
) -> None:
    if created or raw:
        return
    # ``set_password`` keeps the raw password until the save has finished.
    password_changed = getattr(instance, "_password", None) is not None
    deactivated = not instance.is_active and (update_fields is None or "is_active" in update_fields)
    keep = instance.__dict__.pop("_keep_credentials", None) or {}
    if deactivated:
        revoke_all(instance)
    elif password_changed:
        revoke_all(instance, **keep)
