"""Contacts as CSV: a header row of field keys, then one contact per row.

Import streams the file (a chunk of rows in memory at a time) into
`contacts_upsert`; export streams rows out of an `iterator()`. The same cell
format both ways, so an export imports back to the same values.
"""

import codecs
import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from accounts.models import Workspace
from contacts.catalogue import FieldType
from contacts.models import Contact, Field
from contacts.selectors import fields_by_key, fields_of
from contacts.services import UpsertReport, contacts_upsert

MULTI_SEPARATOR = ";"
ERRORS_SHOWN = 100
# Spreadsheets run a cell starting with one of these as a formula. Visitors'
# answers end up in exports, so such text cells are written with a leading
# apostrophe (the spreadsheet convention for "this is text") and read back without it.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_TEXT_TYPES = {FieldType.TEXT, FieldType.LONG_TEXT, FieldType.EMAIL, FieldType.URL}
_ENCODING_HELP = "Save it as “CSV UTF-8” in your spreadsheet (File › Save as) and import it again."


class CsvRefused(Exception):
    """The file as a whole cannot be imported; the message says how to fix it."""


@dataclass
class ImportResult:
    """What an import did: the upsert's counts and errors, and the columns it ignored."""

    report: UpsertReport
    unknown_columns: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return self.report.summary()

    def error_lines(self, limit: int = ERRORS_SHOWN) -> list[str]:
        return [f"Line {line}: {message}" for line, message in self.report.errors[:limit]]

    def errors_not_shown(self, limit: int = ERRORS_SHOWN) -> int:
        return max(0, self.report.failed - limit)


def contacts_import_csv(*, workspace: Workspace, file: BinaryIO) -> ImportResult:
    """Upsert the contacts of a CSV file (binary, seekable) into `workspace` by email.

    Raises CsvRefused, before writing anything, for a file that is not UTF-8,
    is empty, or has no `email` column. Otherwise bad rows are reported by line
    number and the good ones imported; blank cells never erase stored values.
    """
    _check_utf8(file)
    rows = CsvRows(file, fields_by_key(workspace))
    report = contacts_upsert(workspace=workspace, rows=rows)
    report.errors = sorted(report.errors + rows.errors)
    return ImportResult(report=report, unknown_columns=rows.unknown_columns)


def csv_check(*, workspace: Workspace, file: BinaryIO) -> list[str]:
    """Raise CsvRefused for a file that cannot be imported at all (its encoding, its first
    line); otherwise return the unknown columns it names. Leaves `file` at its start."""
    _check_utf8(file)
    unknown = CsvRows(file, fields_by_key(workspace)).unknown_columns
    file.seek(0)
    return unknown


def _check_utf8(file: BinaryIO) -> None:
    """Refuse a file that is not UTF-8 before importing any of it (a BOM is fine)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    line = 1
    while chunk := file.read(1 << 16):
        try:
            decoder.decode(chunk)
        except UnicodeDecodeError as error:
            line += chunk[: error.start].count(b"\n")
            raise CsvRefused(
                f"The file is not UTF-8 text (the first unreadable character is on "
                f"line {line}). {_ENCODING_HELP}"
            ) from None
        line += chunk.count(b"\n")
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise CsvRefused(
            f"The file is not UTF-8 text (it ends mid-character). {_ENCODING_HELP}"
        ) from None
    file.seek(0)


class CsvRows:
    """The data rows of a CSV file as (line number, {key: cell}), read lazily.

    Rows that cannot be read (too many cells) are collected in `errors`.
    """

    def __init__(self, file: BinaryIO, fields: dict[str, Field]) -> None:
        self._reader = csv.reader(codecs.iterdecode(file, "utf-8-sig"))
        self._fields = fields
        self.errors: list[tuple[int, str]] = []
        header = next(self._reader, None)
        if not header or not any(cell.strip() for cell in header):
            raise CsvRefused(
                "The file is empty: its first line must name the columns "
                "(email,first_name,last_name,…)."
            )
        self._width = len(header)
        self._columns, self.unknown_columns = _read_header(header, fields)

    def __iter__(self) -> Iterator[tuple[int, dict]]:
        line = self._reader.line_num
        for cells in self._reader:
            number, line = line + 1, self._reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) > self._width and any(c.strip() for c in cells[self._width :]):
                self.errors.append((number, _too_many_cells(len(cells), self._width)))
                continue
            yield number, self._values(cells)

    def _values(self, cells: list[str]) -> dict:
        values = {}
        for index, key in self._columns:
            cell = cells[index] if index < len(cells) else ""
            if self._fields[key].type in _TEXT_TYPES:
                cell = _unprotect_formula(cell)
            values[key] = cell
        return values


def _read_header(header: list[str], fields: dict[str, Field]) -> tuple[list, list[str]]:
    """(index, key) of the known columns, and the names of the unknown ones."""
    columns, unknown, seen = [], [], set()
    for index, name in enumerate(cell.strip() for cell in header):
        key = name.lower()
        if not name:
            continue
        if key not in fields:
            unknown.append(name)
        elif key in seen:
            raise CsvRefused(f"The column “{key}” appears twice in the header: keep only one.")
        else:
            seen.add(key)
            columns.append((index, key))
    if "email" not in seen:
        hint = " (is it separated by semicolons? Use commas.)" if ";" in ",".join(header) else ""
        raise CsvRefused(
            "The file has no “email” column: the first line must name the columns "
            f"(email,first_name,last_name,…), and email is how contacts are matched{hint}."
        )
    return columns, unknown


def _too_many_cells(count: int, width: int) -> str:
    return (
        f"{count} cells but the header names {width} columns "
        "(a value containing a comma must be in double quotes)."
    )


def _unprotect_formula(cell: str) -> str:
    if len(cell) > 1 and cell[0] == "'" and cell[1] in _FORMULA_STARTS:
        return cell[1:]
    return cell


def contacts_csv_lines(workspace: Workspace) -> Iterator[str]:
    """The workspace's contacts as CSV lines: a header of every catalogue key, in order."""
    fields = list(fields_of(workspace))
    writer = csv.writer(_Echo())
    yield writer.writerow([f.key for f in fields])
    contacts = Contact.objects.for_workspace(workspace).order_by("id")
    for contact in contacts.iterator(chunk_size=2000):
        yield writer.writerow([_cell(f, contact.value(f.key)) for f in fields])


class _Echo:
    """A file-like object whose write returns the line: csv.writer without a buffer."""

    def write(self, line: str) -> str:
        return line


def _cell(field: Field, value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return MULTI_SEPARATOR.join(str(item) for item in value)
    text = str(value)
    if field.type in _TEXT_TYPES and text.startswith(_FORMULA_STARTS):
        return "'" + text
    return text


def write_csv(lines: Iterable[str], out) -> int:
    """Write CSV lines to a text stream; returns the number of data rows."""
    count = -1
    for line in lines:
        out.write(line)
        count += 1
    return max(count, 0)
