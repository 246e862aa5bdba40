"""The staff web app (frontend/, a Vue single-page app) served by Django.

WhiteNoise serves the built files (``frontend/dist``) at the site root, so the
hashed ``/assets/*`` get far-future caching; every other non-API path answers
with ``index.html`` and the app's router (history mode) takes over.

The installable app's files (``/sw.js``, ``/manifest.webmanifest``, the icons)
are built files too: WhiteNoise serves them (``pwa_headers`` keeps the service
worker and the manifest from being cached), and a file-like path that is not
in the build answers 404 here, never ``index.html`` (a browser must not take
the app's HTML for a service worker or a manifest).
"""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_safe

_cache: dict[str, tuple[float, bytes]] = {}

# A request for a file (by its extension) that the build does not have.
_FILE_LIKE = re.compile(
    r"\.(?:js|mjs|css|map|json|webmanifest|png|jpe?g|gif|svg|ico|webp|woff2?|ttf|txt|xml)$",
    re.IGNORECASE,
)
# Always revalidated: the service worker script, what it precaches by name, the manifest.
_REVALIDATE = {"sw.js", "manifest.webmanifest", "index.html", "registerSW.js"}


def pwa_headers(headers, path: str, url: str) -> None:
    """WhiteNoise's ``ADD_HEADERS_FUNCTION``: the app's entry files are never cached stale."""
    if url.lstrip("/") in _REVALIDATE:
        headers["Cache-Control"] = "no-cache"


def dist_dir() -> Path:
    return Path(settings.FRONTEND_DIST)


def _index_html() -> bytes | None:
    path = dist_dir() / "index.html"
    try:
        mtime = path.stat().st_mtime
    except FileNotFoundError:
        return None
    cached = _cache.get("index")
    if cached is None or cached[0] != mtime:
        cached = (mtime, path.read_bytes())
        _cache["index"] = cached
    return cached[1]


@require_safe
@ensure_csrf_cookie
def index(request, path: str = "") -> HttpResponse:
    """``index.html`` of the built app, never cached (the assets it names are)."""
    if _FILE_LIKE.search(path):
        return HttpResponse(status=404, content_type="text/plain; charset=utf-8")
    body = _index_html()
    if body is None:
        message = _(
            "The web app is not built yet: run “make run” (or “cd frontend && npm ci && "
            "npm run build”). The API is at /api/v1/ and its documentation at /api/docs/."
        )
        response = HttpResponse(message, status=503, content_type="text/plain; charset=utf-8")
    else:
        response = HttpResponse(body, content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response
