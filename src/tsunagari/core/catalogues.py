"""Translation catalogues: compile ``.po`` to ``.mo`` and check that they are complete.

The ``.po`` files under ``tsunagari/locale`` are the source (kept in git); ``.mo`` files are built
from them by ``compile_catalogues`` (pure Python, polib: no gettext tools needed), which
``tsunagari setup`` and the test suite call. ``problems`` lists what makes a catalogue incomplete.
"""

from __future__ import annotations

import re
from pathlib import Path

import polib

from tsunagari.core.languages import LANGUAGES

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
_PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{(\w+)\}")

#: gettext Plural-Forms per catalogue.
PLURAL_FORMS = {
    "ja": "nplurals=1; plural=0;",
    "ja_Easy": "nplurals=1; plural=0;",
    "zh_Hans": "nplurals=1; plural=0;",
    "zh_Hant": "nplurals=1; plural=0;",
    "ko": "nplurals=1; plural=0;",
    "vi": "nplurals=1; plural=0;",
    "id": "nplurals=1; plural=0;",
    "th": "nplurals=1; plural=0;",
    "en": "nplurals=2; plural=(n != 1);",
    "es": "nplurals=2; plural=(n != 1);",
    "ne": "nplurals=2; plural=(n != 1);",
    "tl": "nplurals=2; plural=(n != 1);",
    "pt_BR": "nplurals=2; plural=(n > 1);",
}


def locale_name(code: str) -> str:
    from django.utils.translation import to_locale

    return to_locale(code)


def po_path(code: str) -> Path:
    return LOCALE_DIR / locale_name(code) / "LC_MESSAGES" / "django.po"


def compile_catalogues(force: bool = False) -> list[Path]:
    """Write ``django.mo`` next to every ``django.po`` that is newer (or all when ``force``)."""
    written = []
    for language in LANGUAGES:
        po = po_path(language.code)
        mo = po.with_suffix(".mo")
        if po.exists() and (force or not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime):
            polib.pofile(str(po)).save_as_mofile(str(mo))
            written.append(mo)
    return written


def placeholders(text: str) -> set[str]:
    return {a or b for a, b in _PLACEHOLDER.findall(text)}


def problems(code: str) -> list[str]:
    """Why the catalogue of ``code`` is not complete: missing file, untranslated or fuzzy entries,
    placeholders that differ from the msgid. Empty when complete."""
    path = po_path(code)
    if not path.exists():
        return [f"{path}: missing"]
    found = []
    po = polib.pofile(str(path))
    nplurals = int(re.search(r"nplurals=(\d+)", po.metadata.get("Plural-Forms", "")).group(1))
    for entry in po:
        if entry.obsolete:
            continue
        where = f"{path.parent.parent.name}: {entry.msgid[:40]!r}"
        if "fuzzy" in entry.flags:
            found.append(f"{where}: fuzzy")
        translations = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        if entry.msgid_plural and len(translations) != nplurals:
            found.append(f"{where}: {len(translations)} plural forms, the header says {nplurals}")
        if not all(t.strip() for t in translations):
            found.append(f"{where}: not translated")
            continue
        for text in translations:
            if placeholders(text) != placeholders(entry.msgid):
                found.append(f"{where}: placeholders {sorted(placeholders(text))} differ from the msgid's")
    return found


def fix_headers() -> None:
    """Set each catalogue's Language and Plural-Forms headers (after makemessages creates it)."""
    for language in LANGUAGES:
        path = po_path(language.code)
        if not path.exists():
            continue
        po = polib.pofile(str(path))
        name = locale_name(language.code)
        po.metadata.update(
            {
                "Project-Id-Version": "tsunagari",
                "Language": name,
                "Plural-Forms": PLURAL_FORMS[name],
                "Content-Type": "text/plain; charset=UTF-8",
                "PO-Revision-Date": po.metadata.get("POT-Creation-Date", ""),
                # Honest provenance: drafted by the developers with machine assistance.
                "Last-Translator": "tsunagari developers (machine-assisted draft; native review pending)",
                "Language-Team": "tsunagari <none yet>",
            }
        )
        po.metadata_is_fuzzy = False
        po.save()
