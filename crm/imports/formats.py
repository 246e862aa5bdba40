"""Reading uploaded files (CSV in any Chinese encoding, xlsx) and writing exports.

Reading streams: CSV is decoded incrementally and xlsx is read with
openpyxl's read-only mode, so a 200,000-row file never becomes 200,000 Python
objects at once. Rows come out as ``(row_number, [cells])`` where the row
number is the one a spreadsheet shows (header = 1); blank lines are skipped
(they still count, so numbers match the file) and cells are stripped.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.utils.translation import gettext as _

from crm.core.errors import Invalid

XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls
FORMULA_CHARS = ("=", "+", "-", "@", "\t", "\r")


def detect_format(filename: str, head: bytes) -> str:
    if head.startswith(XLSX_MAGIC):
        return "xlsx"
    if head.startswith(OLE_MAGIC) or filename.lower().endswith(".xls"):
        raise Invalid(
            fields={"file": [_("Old .xls files are not supported: save the file as .xlsx or CSV.")]}
        )
    return "csv"


def detect_encoding(content: bytes) -> str:
    """utf-8-sig with a BOM; UTF-8 when the bytes are valid UTF-8; else GB18030.

    GB18030 is a superset of GBK and GB2312 (what Excel in China writes).
    Checked incrementally so a large file is never decoded in one piece.
    """
    if content.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(content)
    step = 1 << 20
    try:
        for start in range(0, len(view), step):
            decoder.decode(view[start : start + step], final=start + step >= len(view))
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


def normalise_encoding(name: str) -> str:
    name = (name or "").strip().lower()
    if name in ("gbk", "gb2312", "gb-2312", "cp936", "gb18030"):
        return "gb18030"  # the superset decodes all of them
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise Invalid(
            fields={"encoding": [_("Unknown encoding “%(name)s”.") % {"name": name}]}
        ) from None


def strip_neutraliser(value: str) -> str:
    """Undo our own export's formula neutralisation ('=1+1 -> =1+1) on re-import."""
    if len(value) > 1 and value[0] == "'" and value[1] in FORMULA_CHARS:
        return value[1:]
    return value


@dataclass
class Sheet:
    """An opened upload: its header row and a fresh iterator over data rows."""

    header: list[str]
    rows: Iterable[tuple[int, list]]
    estimated_rows: int
    encoding: str = ""


def _blank(cells: list) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def open_csv(content: bytes, encoding: str = "") -> Sheet:
    encoding = normalise_encoding(encoding) if encoding else detect_encoding(content)
    stream = io.TextIOWrapper(io.BytesIO(content), encoding=encoding, newline="")
    try:
        first = stream.readline()
    except UnicodeDecodeError:
        raise Invalid(
            fields={
                "encoding": [_("The file is not in the encoding %(name)s.") % {"name": encoding}]
            }
        ) from None
    delimiter = max((",", "\t", ";"), key=first.count)
    header = next(csv.reader([first], delimiter=delimiter), [])
    header = [h.strip().lstrip("\ufeff") for h in header]
    # An estimate for the progress bar (quoted newlines make it a little high).
    estimated = max(content.count(b"\n") - 1, 1)

    def rows() -> Iterator[tuple[int, list]]:
        reader = csv.reader(stream, delimiter=delimiter)
        number = 1
        try:
            for cells in reader:
                number += 1
                if not cells or _blank(cells):
                    continue
                stripped = [c.strip() for c in cells]
                if "'" in "".join(stripped):  # rarely: only then look for neutralised formulas
                    stripped = [strip_neutraliser(c) for c in stripped]
                yield number, stripped
        except UnicodeDecodeError:
            raise Invalid(
                fields={
                    "encoding": [
                        _("Row %(row)d is not in the encoding %(name)s.")
                        % {"row": number + 1, "name": encoding}
                    ]
                }
            ) from None

    return Sheet(header=header, rows=rows(), estimated_rows=estimated, encoding=encoding)


#: Limits on what an xlsx may unpack to (settings ``IMPORT_XLSX_MAX_UNPACKED`` and
#: ``IMPORT_XLSX_MAX_RATIO``): a few MB of zip can inflate to gigabytes.
MAX_UNPACKED = 200 * 1024 * 1024
MAX_RATIO = 100
#: Parts smaller than this are not held to the ratio (tiny XML parts compress well).
RATIO_FROM_BYTES = 1024 * 1024


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def check_archive(content: bytes, name: str = "") -> None:
    """Refuse an xlsx whose parts would unpack to too much, before anything parses it.

    Reads only the zip's central directory. The sizes it declares bound what
    is read: Python's ``zipfile`` stops a member at its declared size (and a
    lie then fails the CRC check), so a member cannot inflate past them.
    """
    from django.conf import settings

    limit = getattr(settings, "IMPORT_XLSX_MAX_UNPACKED", MAX_UNPACKED)
    max_ratio = getattr(settings, "IMPORT_XLSX_MAX_RATIO", MAX_RATIO)
    try:
        members = zipfile.ZipFile(io.BytesIO(content)).infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise Invalid(fields={"file": [_("This is not a readable xlsx file.")]}) from None
    total = 0
    for member in members:
        total += member.file_size
        ratio = member.file_size / max(member.compress_size, 1)
        if total > limit or (member.file_size >= RATIO_FROM_BYTES and ratio > max_ratio):
            raise Invalid(
                fields={
                    "file": [
                        _(
                            "The file “%(file)s” was refused: its part %(part)s would unpack "
                            "to %(size)s (%(ratio)d times its packed size; the limits are "
                            "%(limit)s in all and %(max_ratio)d times). Save it again from "
                            "the spreadsheet program or import it as CSV."
                        )
                        % {
                            "file": name or _("upload"),
                            "part": member.filename,
                            "size": _megabytes(member.file_size),
                            "ratio": ratio,
                            "limit": _megabytes(limit),
                            "max_ratio": max_ratio,
                        }
                    ]
                }
            )


def open_xlsx(content: bytes, sheet: str = "", name: str = "") -> Sheet:
    from openpyxl import load_workbook

    check_archive(content, name)
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise Invalid(fields={"file": [_("This is not a readable xlsx file.")]}) from None
    if sheet:
        if sheet not in workbook.sheetnames:
            raise Invalid(
                fields={
                    "sheet": [
                        _("The workbook has no sheet “%(name)s” (it has: %(names)s).")
                        % {"name": sheet, "names": ", ".join(workbook.sheetnames)}
                    ]
                }
            )
        worksheet = workbook[sheet]
    else:
        worksheet = workbook.worksheets[0]
    iterator = worksheet.iter_rows(values_only=True)
    header_cells = next(iterator, None) or ()
    header = ["" if c is None else str(c).strip() for c in header_cells]
    estimated = max((worksheet.max_row or 2) - 1, 1)

    def clean(cell):
        if isinstance(cell, str):
            return strip_neutraliser(cell.strip())
        return cell

    def rows() -> Iterator[tuple[int, list]]:
        number = 1
        for cells in iterator:
            number += 1
            if _blank(list(cells)):
                continue
            yield number, [clean(c) for c in cells]
        workbook.close()

    return Sheet(header=header, rows=rows(), estimated_rows=estimated)


def open_upload(content: bytes, file_format: str, options: dict, name: str = "") -> Sheet:
    if file_format == "xlsx":
        return open_xlsx(content, options.get("sheet") or "", name)
    return open_csv(content, options.get("encoding") or "")


# --- writing ---------------------------------------------------------------


# "+86 138 1234 5678", "+1 (415) 555-0100": digits and separators only, no
# function name, reference or operator a formula could use; written as is.
PHONE_NUMBER = re.compile(r"\+\d[\d ()\-.]{3,29}")


def neutralise(value):
    """Text starting like a formula gets a leading apostrophe (CSV/formula injection).

    A phone number in international form starts with "+" but is no formula: it
    stays as people wrote it (issue 20: no apostrophe in front of mobiles).
    """
    if isinstance(value, str) and value.startswith(FORMULA_CHARS):
        if PHONE_NUMBER.fullmatch(value) and sum(ch.isdigit() for ch in value) >= 5:
            return value
        return "'" + value
    return value


class _Echo:
    def write(self, value):
        return value


def csv_stream(header: list[str], rows: Iterable[list]) -> Iterator[str]:
    """CSV lines for Excel: UTF-8 BOM first, every text cell neutralised."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([neutralise(h) for h in header])
    for row in rows:
        yield writer.writerow(["" if v is None else neutralise(v) for v in row])


def xlsx_file(header: list[str], rows: Iterable[list], title: str = "Sheet1"):
    """A write-only workbook spooled to a temporary file; returns the open file."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31] or "Sheet1")
    sheet.append([neutralise(h) for h in header])
    for row in rows:
        sheet.append([neutralise(v) for v in row])
    out = tempfile.TemporaryFile()
    workbook.save(out)
    out.seek(0)
    return out
