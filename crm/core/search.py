"""The stored, indexed search key behind ``?search=`` (names by pinyin and initials).

The key holds the lower-cased name, its full pinyin, its pinyin initials and
the phone digits, separated by ``|``; a search is one indexed ``LIKE '%q%'``
(a trigram GIN index on PostgreSQL), never Python-side filtering.
"""

from __future__ import annotations

from pypinyin import Style, lazy_pinyin

from crm.core.validators import halfwidth, strip_invisible


def pinyin_forms(text: str) -> list[str]:
    if not text:
        return []
    full = "".join(lazy_pinyin(text, errors="default")).lower()
    initials = "".join(lazy_pinyin(text, style=Style.FIRST_LETTER, errors="default")).lower()
    return [full, initials]


def build_search_key(*names: str, phones: tuple[str, ...] = ()) -> str:
    parts: list[str] = []
    for name in names:
        if not name:
            continue
        clean = halfwidth(strip_invisible(name)).strip().lower()
        parts.append(clean)
        parts.extend(pinyin_forms(clean))
    for phone in phones:
        if phone:
            digits = "".join(ch for ch in phone if ch.isdigit())
            parts.append(digits[2:] if phone.startswith("+86") else digits)
    # Queries lose their spaces (normalize_query): so do the stored forms.
    return "|".join(p.replace("|", "").replace(" ", "") for p in parts)


def normalize_query(query: str) -> str:
    return halfwidth(strip_invisible(query or "")).strip().lower().replace(" ", "")
