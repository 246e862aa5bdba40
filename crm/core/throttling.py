"""Limits per client address on the public endpoints.

* Sign-up: ``SIGNUP_THROTTLE_RATE`` per address (``"5/hour"``), 429 ``throttled``
  with ``Retry-After``.
* Failed sign-ins: django-axes locks a username per address; on top of it,
  ``LOGIN_FAILURES_PER_ADDRESS`` failures from one address within
  ``LOGIN_FAILURE_WINDOW_MINUTES`` refuse every username from that address
  until the window ends (one address trying many usernames).

Counters live in the default cache (Redis when ``REDIS_URL`` is set, so every
web process counts together). The client address is the one django-axes uses
(``PROXY_COUNT`` says how many proxies in front of the app to look through).
"""

from __future__ import annotations

import math

from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.throttling import SimpleRateThrottle


def client_address(request) -> str:
    from axes.helpers import get_client_ip_address

    request = getattr(request, "_request", request)  # a DRF request wraps Django's
    return get_client_ip_address(request) or request.META.get("REMOTE_ADDR") or "unknown"


# --- sign-up ------------------------------------------------------------------------


class Throttled(APIException):
    """429 ``throttled`` with a translated detail; DRF's handler adds ``Retry-After``."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "throttled"

    def __init__(self, detail: str, wait: float | None) -> None:
        self.wait = math.ceil(wait) if wait else None
        super().__init__(detail=detail, code="throttled")


class AddressRateThrottle(SimpleRateThrottle):
    """A rate per client address; the rate is read from settings on each request."""

    setting = ""

    def get_rate(self):
        return getattr(settings, self.setting) or None

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": client_address(request)}


class SignupThrottle(AddressRateThrottle):
    scope = "signup"
    setting = "SIGNUP_THROTTLE_RATE"


def signup_throttled(wait: float | None) -> Throttled:
    minutes = max(1, math.ceil((wait or 60) / 60))
    return Throttled(
        _("Too many sign-ups from your network address: try again in %(minutes)d min.")
        % {"minutes": minutes},
        wait,
    )


# --- failed sign-ins per address -------------------------------------------------------


def _failures_key(address: str) -> str:
    return f"login-failures:{address}"


def _window_seconds() -> int:
    return max(1, math.ceil(settings.LOGIN_FAILURE_WINDOW_MINUTES * 60))


def address_failures(request) -> int:
    return cache.get(_failures_key(client_address(request)), 0)


def address_locked_out(request) -> bool:
    limit = settings.LOGIN_FAILURES_PER_ADDRESS
    return bool(limit) and address_failures(request) >= limit


@receiver(user_login_failed, dispatch_uid="crm.core.throttling.count_failure")
def count_failure(sender, credentials, request=None, **kwargs) -> None:
    """Count a failed sign-in (API, web app or admin) against the client's address.

    A success does not reset the count: an attacker signing in to their own
    account between guesses must not wipe it.
    """
    if request is None or not settings.LOGIN_FAILURES_PER_ADDRESS:
        return
    key = _failures_key(client_address(request))
    # The window starts at the first failure: ``add`` only sets a missing key.
    if not cache.add(key, 1, timeout=_window_seconds()):
        try:
            cache.incr(key)
        except ValueError:  # expired between the two calls
            cache.add(key, 1, timeout=_window_seconds())


class AddressLockoutBackend:
    """An authentication backend listed before ModelBackend: an address over the
    limit is refused for every username, even with the right password."""

    def authenticate(self, request, **credentials):
        if request is not None and address_locked_out(request):
            request.address_locked_out = True
            raise PermissionDenied  # stops authenticate(); Django reports the failure
        return None

    # No ``get_user``: this backend never signs anyone in, so no session names it;
    # with one, Django's test client's ``force_login`` picked it (the first backend
    # with ``get_user``) and its sessions never found their user.


class AddressLockedOut(APIException):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "locked_out"

    def __init__(self) -> None:
        minutes = max(1, math.ceil(settings.LOGIN_FAILURE_WINDOW_MINUTES))
        self.wait = minutes * 60
        super().__init__(
            detail=_(
                "Too many failed sign-in attempts from your network address: signing in "
                "from it is blocked for up to %(minutes)d min."
            )
            % {"minutes": minutes},
            code="locked_out",
        )
