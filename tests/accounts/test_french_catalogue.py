"""The French catalogue: complete, and its committed .mo is the compiled .po.

Deploys use the committed django.mo (no gettext there), so a .po edited without
`make messages` would silently ship the old French.
"""

import ast
import gettext
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "fr" / "LC_MESSAGES"
PO, MO = CATALOGUE / "django.po", CATALOGUE / "django.mo"
_LINE = re.compile(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?) (".*")$')


def _entries() -> list[dict]:
    """Each entry of the .po: its flags and its keywords (msgid, msgstr[0], ...) as text."""
    entries = []
    for block in PO.read_text(encoding="utf-8").split("\n\n"):
        entry, keyword = {"flags": ""}, None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"] += line
            elif match := _LINE.match(line):
                keyword = match.group(1)
                entry[keyword] = ast.literal_eval(match.group(2))
            elif line.startswith('"') and keyword:
                entry[keyword] += ast.literal_eval(line)
        if "msgid" in entry:
            entries.append(entry)
    return entries[1:]  # the first is the header


def _translations(entry: dict) -> list[str]:
    return [value for key, value in entry.items() if key.startswith("msgstr")]


def test_every_french_entry_is_translated_and_none_is_fuzzy():
    entries = _entries()

    assert len(entries) > 400
    assert [e["msgid"] for e in entries if "fuzzy" in e["flags"]] == []
    assert [e["msgid"] for e in entries if not all(_translations(e))] == []


def test_the_committed_mo_translates_every_entry_as_the_po_says():
    with MO.open("rb") as file:
        catalogue = gettext.GNUTranslations(file)

    for entry in _entries():
        if "msgid_plural" in entry:
            plural = entry["msgid_plural"]
            assert catalogue.ngettext(entry["msgid"], plural, 1) == entry["msgstr[0]"]
            assert catalogue.ngettext(entry["msgid"], plural, 2) == entry["msgstr[1]"]
        elif "msgctxt" in entry:
            assert catalogue.pgettext(entry["msgctxt"], entry["msgid"]) == entry["msgstr"]
        else:
            assert catalogue.gettext(entry["msgid"]) == entry["msgstr"], entry["msgid"]


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="gettext's msgfmt is not installed")
def test_the_committed_mo_is_the_po_compiled(tmp_path):
    compiled = tmp_path / "django.mo"

    # What `manage.py compilemessages` runs.
    subprocess.run(["msgfmt", "--check-format", "-o", compiled, PO], check=True)

    assert compiled.read_bytes() == MO.read_bytes(), "run `make messages` and commit django.mo"
