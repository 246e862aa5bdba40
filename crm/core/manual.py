"""The user manual (``manual/``, MkDocs) served by the app at /docs/ (zh-CN) and /docs/en/.

``manual/build.py`` (``make run``, ``manage.py build_manual``) writes the static site to
``MANUAL_DIR`` (default ``var/manual``); this view only reads files from there, so the manual
works without a network. The web app's help icon links each page to its chapter.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from django.views.static import serve


def manual_dir() -> Path:
    configured = getattr(settings, "MANUAL_DIR", None) or os.environ.get("MANUAL_DIR")
    return Path(configured or Path(settings.BASE_DIR) / "var" / "manual")


@require_safe
def manual(request, path: str = "") -> HttpResponse:
    """A file of the built manual; a chapter's address (``leads/``) answers its index.html."""
    root = manual_dir()
    if not (root / "index.html").is_file():
        message = _(
            "The manual is not built yet: run “make manual” (or “python manual/build.py”). "
            "The API documentation is at /api/docs/."
        )
        return HttpResponse(message, status=503, content_type="text/plain; charset=utf-8")
    if not request.path.startswith("/docs/"):
        return HttpResponseRedirect("/docs/")
    if path == "" or path.endswith("/"):
        path += "index.html"
    elif (root / path).is_dir():
        return HttpResponseRedirect(f"/docs/{path}/")
    try:
        response = serve(request, path, document_root=str(root))
    except (Http404, SuspiciousFileOperation):  # a missing file, or a path out of the manual
        not_found = root / ("en/404.html" if path.startswith("en/") else "404.html")
        if not not_found.is_file():
            raise
        return HttpResponse(not_found.read_bytes(), status=404, content_type="text/html")
    response["Cache-Control"] = "no-cache"
    return response
