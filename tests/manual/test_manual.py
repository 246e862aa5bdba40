"""The user manual (issue 20 item 14): MkDocs builds it strictly, and the app serves the
zh-CN edition at /docs/ and the English one at /docs/en/ without any outside address."""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

MANUAL = Path(settings.BASE_DIR) / "manual"
CHAPTERS = sorted(p.stem for p in (MANUAL / "zh").glob("*.md"))
# An address the browser would fetch or follow (src, href, CSS url(), @import).
OUTSIDE = re.compile(
    r"""(?:src|href|action)\s*=\s*["']?(?:https?:)?//|url\(\s*["']?(?:https?:)?//|@import\s+["']?(?:https?:)?//"""
)


def test_both_editions_have_the_same_chapters_and_pictures():
    en = sorted(p.stem for p in (MANUAL / "en").glob("*.md"))
    assert en == CHAPTERS
    assert {
        "first-steps",
        "leads",
        "customers",
        "opportunities",
        "quotes",
        "contracts",
        "payments",
        "service",
        "office",
        "marketing",
        "import",
        "roles",
        "modules",
        "backup",
        "personal",
    } <= set(CHAPTERS)
    for lang in ("zh", "en"):
        for md in (MANUAL / lang).glob("*.md"):
            for image in re.findall(r"\]\((img/[^)]+)\)", md.read_text(encoding="utf-8")):
                assert (MANUAL / lang / image).is_file(), f"{lang}/{md.name}: {image}"


def test_docs_serves_the_zh_index_and_a_chapter(built_manual):
    client = Client()
    index = client.get("/docs/")
    assert index.status_code == 200
    html = b"".join(index.streaming_content).decode()
    assert '<html lang="zh"' in html and "商慧 CRM 使用手册" in html
    chapter = client.get("/docs/leads/")
    assert chapter.status_code == 200
    html = b"".join(chapter.streaming_content).decode()
    assert "如何把线索转为客户" in html and "转为客户" in html
    assert 'src="../img/lead-card.png"' in html
    image = client.get("/docs/img/lead-card.png")
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    english = client.get("/docs/en/leads/")
    assert english.status_code == 200
    assert "Convert a lead into a customer" in b"".join(english.streaming_content).decode()
    # Addresses without their slash are redirected; unknown ones answer the manual's 404.
    assert client.get("/docs")["Location"] == "/docs/"
    assert client.get("/docs/leads")["Location"] == "/docs/leads/"
    missing = client.get("/docs/no-such-chapter/")
    assert missing.status_code == 404 and "商慧 CRM" in missing.content.decode()
    assert client.get("/docs/../manage.py").status_code == 404
    # The 404 page is styled where it is served: its stylesheets and links resolve.
    for address, edition in (("/docs/no-such-chapter/", "/docs/"), ("/docs/en/nope/", "/docs/en/")):
        page = client.get(address).content.decode()
        sheets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', page)
        assert sheets and all(s.startswith(edition + "assets/") for s in sheets), sheets
        for sheet in sheets:
            assert client.get(sheet).status_code == 200, sheet
        assert not re.search(r'(?:href|src)="/(?!docs/|/)', page)
    assert client.post("/docs/").status_code == 405
    # The API's own documentation is still there.
    assert client.get("/api/docs/").status_code == 200


def test_the_built_manual_names_no_outside_address(built_manual):
    pages = list(built_manual.rglob("*.html"))
    assert len(pages) >= 2 * len(CHAPTERS)
    for path in [*pages, *built_manual.rglob("*.css")]:
        found = OUTSIDE.findall(path.read_text(encoding="utf-8"))
        assert not found, f"{path.relative_to(built_manual)}: {found}"
    # Search runs in the browser from a local index holding the Chinese text.
    index = json.loads((built_manual / "search" / "search_index.json").read_text("utf-8"))
    assert any("如何把线索转为客户" in doc["title"] for doc in index["docs"])
    assert (built_manual / "en" / "search" / "search_index.json").is_file()


def test_docs_before_the_manual_is_built_says_how_to_build_it(settings, tmp_path):
    settings.MANUAL_DIR = str(tmp_path / "none")
    response = Client().get("/docs/")
    assert response.status_code == 503
    assert "make manual" in response.content.decode()


def test_a_broken_link_fails_the_strict_build(tmp_path):
    """The same build script on a copy of the manual with one link to nowhere."""
    copy = tmp_path / "manual"
    shutil.copytree(MANUAL, copy, ignore=shutil.ignore_patterns("__pycache__", "img"))
    for lang in ("zh", "en"):
        shutil.copytree(MANUAL / lang / "img", copy / lang / "img")
    leads = copy / "zh" / "leads.md"
    leads.write_text(leads.read_text(encoding="utf-8") + "\n[坏链接](no-such-page.md)\n")
    spec = importlib.util.spec_from_file_location("manual_build_copy", copy / "build.py")
    builder = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(builder)
    with pytest.raises(Exception, match=r"(?i)strict|warning"):
        builder.build(tmp_path / "site")
    assert not (tmp_path / "site" / "en").exists()
