"""The Japanese catalogue: complete, compiled, up to date with the source, and in use.

When a test here fails, run `make messages`, translate the new or fuzzy entries of
src/lupustrial/edc/locale/ja/LC_MESSAGES/django.po, and run `make messages` again to
compile them (docs/i18n.md).
"""

from __future__ import annotations

import gettext
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.template import engines
from django.urls import reverse
from django.utils import translation

import lupustrial.edc
from lupustrial.edc.accounts.roles import Role

EDC_DIR = Path(lupustrial.edc.__file__).resolve().parent
PO_PATH = EDC_DIR / "locale" / "ja" / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")
FIX = (
    "Run `make messages`, translate the new or fuzzy entries of "
    "src/lupustrial/edc/locale/ja/LC_MESSAGES/django.po (no empty msgstr, no fuzzy flag), "
    "then run `make messages` again to compile them. See docs/i18n.md."
)
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
_PLACEHOLDER = re.compile(r"%\([^)]+\)[-#0 +]*\d*(?:\.\d+)?[a-zA-Z%]|%[sdif%]")

Key = tuple[str | None, str, str | None]


@dataclass
class Entry:
    """One message of a .po file: its keywords (msgctxt, msgid, msgstr[0]...) and flags."""

    fields: dict[str, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False

    @property
    def msgid(self) -> str:
        return self.fields.get("msgid", "")

    @property
    def key(self) -> Key:
        return (self.fields.get("msgctxt"), self.msgid, self.fields.get("msgid_plural"))

    @property
    def translations(self) -> list[str]:
        return [value for name, value in self.fields.items() if name.startswith("msgstr")]


def _unquote(text: str) -> str:
    text = text.strip()
    if len(text) < 2 or not text.startswith('"') or not text.endswith('"'):
        raise ValueError(f"not a PO string: {text}")
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), text[1:-1])


def parse_po(path: Path) -> list[Entry]:
    """The entries of a .po file, header included (msgid ""), obsolete ones marked."""
    entries: list[Entry] = []
    current, last = Entry(), ""

    def finish() -> Entry:
        if "msgid" in current.fields:
            entries.append(current)
        return Entry()

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        obsolete = line.startswith("#~")
        if obsolete:
            line = line[2:].strip()
        if not line:
            continue
        has_msgstr = any(name.startswith("msgstr") for name in current.fields)
        if line.startswith("#"):
            if has_msgstr:
                current = finish()
            if line.startswith("#,"):
                current.flags.update(flag.strip() for flag in line[2:].split(","))
            continue
        if line.startswith('"'):
            current.fields[last] += _unquote(line)
            continue
        keyword, _, value = line.partition(" ")
        if keyword in ("msgctxt", "msgid") and has_msgstr:
            current = finish()
        current.obsolete = current.obsolete or obsolete
        current.fields[keyword] = _unquote(value)
        last = keyword
    finish()
    return entries


def _messages(entries: list[Entry]) -> list[Entry]:
    """The live messages: no header, no obsolete entry."""
    return [entry for entry in entries if entry.msgid and not entry.obsolete]


def _listing(entries: list[Entry] | list[Key]) -> str:
    keys = [entry.key if isinstance(entry, Entry) else entry for entry in entries]
    return "\n".join(
        f"  {msgid!r}" + (f" (context {ctx!r})" if ctx else "") for ctx, msgid, _ in keys
    )


def test_the_japanese_catalogue_has_no_untranslated_or_fuzzy_entry() -> None:
    entries = parse_po(PO_PATH)
    header = [entry for entry in entries if not entry.msgid]
    assert header, f"{PO_PATH} has no header"
    assert "Language: ja" in header[0].translations[0]
    fuzzy = [entry for entry in entries if "fuzzy" in entry.flags and not entry.obsolete]
    untranslated = [entry for entry in _messages(entries) if not all(entry.translations)]
    assert not fuzzy, f"Fuzzy entries in {PO_PATH}:\n{_listing(fuzzy)}\n{FIX}"
    assert not untranslated, f"Untranslated entries in {PO_PATH}:\n{_listing(untranslated)}\n{FIX}"


def test_translations_keep_the_placeholders_of_the_source() -> None:
    for entry in _messages(parse_po(PO_PATH)):
        expected = sorted(_PLACEHOLDER.findall(entry.msgid))
        for translation_text in entry.translations:
            found = sorted(_PLACEHOLDER.findall(translation_text))
            assert found == expected, f"{entry.msgid!r} → {translation_text!r}: placeholders differ"


def test_the_compiled_catalogue_matches_the_po_file() -> None:
    assert MO_PATH.exists(), f"{MO_PATH} is missing. {FIX}"
    with MO_PATH.open("rb") as file:
        compiled = gettext.GNUTranslations(file)
    stale = []
    for entry in _messages(parse_po(PO_PATH)):
        context, msgid, plural = entry.key
        if plural is not None:
            found = compiled.ngettext(msgid, plural, 1)
        elif context is not None:
            found = compiled.pgettext(context, msgid)
        else:
            found = compiled.gettext(msgid)
        if found != entry.translations[0]:
            stale.append(entry)
    assert not stale, f"{MO_PATH} is older than the .po file for:\n{_listing(stale)}\n{FIX}"


def _copy_sources(source: str, names: list[str]) -> set[str]:
    """shutil.copytree's ignore: everything but the Python files and the templates."""
    skip_dirs = {"locale", "static", "__pycache__"}
    return {
        name
        for name in names
        if (Path(source, name).is_dir() and name in skip_dirs)
        or (Path(source, name).is_file() and Path(name).suffix not in {".py", ".html", ".txt"})
    }


def test_the_catalogue_holds_every_message_of_the_source(
    tmp_path: Path, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """makemessages, run on a copy of the sources into a temporary locale directory."""
    if shutil.which("xgettext") is None or shutil.which("msguniq") is None:
        pytest.skip("GNU gettext is not installed (apt-get install gettext)")
    copy = tmp_path / "edc"
    shutil.copytree(EDC_DIR, copy, ignore=_copy_sources)
    locale = copy / "locale"
    locale.mkdir()
    settings.LOCALE_PATHS = [str(locale)]
    monkeypatch.chdir(copy)
    call_command("makemessages", locale=["ja"], verbosity=0)

    source = {entry.key for entry in _messages(parse_po(locale / "ja/LC_MESSAGES/django.po"))}
    committed = {entry.key for entry in _messages(parse_po(PO_PATH))}
    assert source, "makemessages found no message in the sources"
    missing = sorted(source - committed, key=lambda key: key[1])
    assert not missing, f"Messages in the source but not in {PO_PATH}:\n{_listing(missing)}\n{FIX}"


@pytest.mark.parametrize(
    ("english", "japanese"),
    [
        ("Subjects", "被験者一覧"),
        ("Adverse events", "有害事象"),
        ("Audit trail", "監査証跡"),
        ("Eligibility", "適格性"),
        ("Record consent", "同意を記録"),
    ],
)
def test_known_messages_come_out_in_japanese(english: str, japanese: str) -> None:
    with translation.override("ja"):
        assert translation.gettext(english) == japanese
    with translation.override("en"):
        assert translation.gettext(english) == english


def test_roles_templates_and_placeholders_are_translated() -> None:
    template = engines["django"].from_string('{% translate "Log in" %} · {% translate "Visit" %}')
    with translation.override("ja"):
        assert str(Role.INVESTIGATOR.label) == "研究責任医師"
        assert str(Role.COORDINATOR.label) == "臨床研究コーディネーター"
        assert template.render({}) == "ログイン · 来院"
        message = translation.gettext("Screening number %(n)s is taken.") % {"n": "S-001"}
        assert message == "スクリーニング番号 S-001 は既に使用されています。"


@pytest.mark.django_db
def test_the_login_page_follows_the_browser_language(client: Any) -> None:
    page = client.get(reverse("login"), headers={"accept-language": "ja"}).content.decode()
    assert "ログイン" in page
    page = client.get(reverse("login"), headers={"accept-language": "en"}).content.decode()
    assert "Log in" in page
    assert "ログイン" not in page
