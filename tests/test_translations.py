"""Both catalogs (zh_Hans default, en) are complete and compiled for every app."""

import gettext
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

BASE = Path(settings.BASE_DIR)
SKIP_PARTS = {".venv", "node_modules", "frontend"}


def catalogs() -> list[Path]:
    return sorted(
        p for p in BASE.rglob("locale/*/LC_MESSAGES/django.po") if not SKIP_PARTS & set(p.parts)
    )


def entries(po: Path) -> list[tuple[str, str, bool]]:
    """(msgid, msgstr, fuzzy) for each entry; handles multi-line strings and plurals
    (a plural entry is keyed "singular\x00plural", its text is msgstr[0])."""
    out = []
    for block in po.read_text(encoding="utf-8").split("\n\n"):
        parts: dict[str, str] = {}
        current = None
        fuzzy = False
        for line in block.strip().split("\n"):
            if line.startswith("#,") and "fuzzy" in line:
                fuzzy = True
            if line.startswith(("msgctxt ", "msgid ", "msgid_plural ", "msgstr ", "msgstr[")):
                current, value = line.split(" ", 1)
                parts[current] = json.loads(value)
            elif current and line.startswith('"'):
                parts[current] += json.loads(line)
        msgid = parts.get("msgid", "")
        if not msgid:
            continue
        if "msgid_plural" in parts:
            msgid = msgid + "\x00" + parts["msgid_plural"]
        msgstr = parts.get("msgstr", parts.get("msgstr[0]", ""))
        if "msgctxt" in parts:
            # Compiled catalogs key a message with a context as "context\x04msgid".
            msgid = parts["msgctxt"] + "\x04" + msgid
        out.append((msgid, msgstr, fuzzy))
    return out


def _compiled(catalog: gettext.GNUTranslations, key: str) -> str:
    context = None
    if "\x04" in key:
        context, key = key.split("\x04", 1)
    if "\x00" in key:
        singular, plural = key.split("\x00", 1)
        if context is not None:
            return catalog.npgettext(context, singular, plural, 1)
        return catalog.ngettext(singular, plural, 1)
    return catalog.pgettext(context, key) if context is not None else catalog.gettext(key)


def test_every_app_has_both_catalogs():
    found = {(p.parents[2].name, p.parents[1].name) for p in catalogs()}
    apps = {p.parents[3] for p in catalogs()}
    assert apps, "no catalogs found"
    for app in apps:
        for lang in ("zh_Hans", "en"):
            assert (app / "locale" / lang / "LC_MESSAGES" / "django.po").exists(), (app, lang)
    assert found


@pytest.mark.parametrize("po", catalogs(), ids=lambda p: str(p.relative_to(BASE)))
def test_catalog_is_complete_and_compiled(po: Path):
    items = entries(po)
    assert items, f"{po} is empty"
    untranslated = [msgid for msgid, msgstr, fuzzy in items if not msgstr or fuzzy]
    assert not untranslated, f"{po}: untranslated or fuzzy: {untranslated[:10]}"
    mo = po.with_suffix(".mo")
    assert mo.exists(), f"{mo} missing: run `make messages`"
    compiled = gettext.GNUTranslations(mo.open("rb"))
    stale = [msgid for msgid, msgstr, _ in items if _compiled(compiled, msgid) != msgstr]
    assert not stale, f"{mo} is stale: run `make messages` ({stale[:5]})"


def test_chinese_is_the_default_language():
    assert settings.LANGUAGE_CODE == "zh-hans"
    with translation.override("zh-hans"):
        assert translation.gettext("Some fields are invalid.") == "部分字段填写有误。"
    with translation.override("en"):
        assert translation.gettext("Some fields are invalid.") == "Some fields are invalid."


def test_a_contacts_title_is_a_job_title_and_other_titles_are_headings():
    """One English word, two meanings: the contact's 职务 has a context of its own, so
    the merged catalogs cannot give a task or an announcement a 职务."""
    from django.apps import apps

    with translation.override("zh-hans"):
        job = str(apps.get_model("customers", "Contact")._meta.get_field("title").verbose_name)
        headings = {
            f"{model._meta.label}": str(model._meta.get_field("title").verbose_name)
            for model in apps.get_models()
            if model._meta.label != "customers.Contact"
            and any(f.name == "title" for f in model._meta.get_fields())
        }
    assert job == "职务"
    assert headings and all("标题" in name for name in headings.values()), headings


def test_one_english_string_has_one_chinese_text():
    """Django merges every app's catalog into one: a msgid translated two ways in two
    apps reads whichever app loads first (a complaint's 待受理 once read 入库 because a
    stock report had its own "received"). One meaning, one text; two meanings, a
    context (pgettext)."""
    texts: dict[str, dict[str, list[str]]] = {}
    for po in catalogs():
        if po.parents[1].name != "zh_Hans":
            continue
        for msgid, msgstr, _fuzzy in entries(po):
            if msgstr:
                app = str(po.parents[3].relative_to(BASE))
                texts.setdefault(msgid, {}).setdefault(msgstr, []).append(app)
    clashes = {msgid: found for msgid, found in texts.items() if len(found) > 1}
    assert not clashes, clashes
