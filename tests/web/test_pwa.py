"""The installable app's files (issue 18): served as files with their own types, the
service worker and the manifest never cached stale, and never answered with index.html."""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from whitenoise.base import WhiteNoise

from crm.core import spa


@pytest.fixture
def built(tmp_path, settings):
    (tmp_path / "index.html").write_text('<!doctype html><div id="app"></div>', encoding="utf-8")
    (tmp_path / "sw.js").write_text("self.addEventListener('fetch', () => {})", encoding="utf-8")
    manifest = {"name": "商慧 CRM", "start_url": "/", "display": "standalone"}
    (tmp_path / "manifest.webmanifest").write_text(json.dumps(manifest), encoding="utf-8")
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "index-DOZdRI6t.js").write_text("export {}", encoding="utf-8")
    settings.FRONTEND_DIST = tmp_path
    spa._cache.clear()
    return tmp_path


def served(root, url: str) -> dict[str, str]:
    """The headers WhiteNoise, configured as in settings, sends for a built file."""
    whitenoise = WhiteNoise(
        None,
        root=root,
        mimetypes=settings.WHITENOISE_MIMETYPES,
        add_headers_function=settings.WHITENOISE_ADD_HEADERS_FUNCTION,
        immutable_file_test=settings.WHITENOISE_IMMUTABLE_FILE_TEST,
    )
    static = whitenoise.files[url]
    response = static.get_response("GET", {})
    return dict(response.headers)


def test_service_worker_and_manifest_are_files_with_their_types_and_revalidated(built):
    sw = served(built, "/sw.js")
    assert sw["Content-Type"].startswith("text/javascript")
    assert sw["Cache-Control"] == "no-cache"
    manifest = served(built, "/manifest.webmanifest")
    assert manifest["Content-Type"].startswith("application/manifest+json")
    assert manifest["Cache-Control"] == "no-cache"
    assert served(built, "/index.html")["Cache-Control"] == "no-cache"
    # The hashed assets the worker precaches keep their year-long caching.
    asset = served(built, "/assets/index-DOZdRI6t.js")
    assert "immutable" in asset["Cache-Control"]


def test_missing_app_files_are_404_not_the_app(client, built):
    # (names no build has: a real build in FRONTEND_DIST is served by WhiteNoise first)
    for path in ("/sw-old.js", "/old.webmanifest", "/workbox-1a2b3c4d.js", "/icon-0x0.png"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert b'<div id="app">' not in response.content
    # App paths still answer with index.html.
    for path in ("/leads", "/leads/12", "/invite/abc:def-ghi"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert b'<div id="app">' in response.content
