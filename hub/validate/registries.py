"""IANA and ISO code lists that stix2-validator enforces as MUSTs, shipped as package data."""

from __future__ import annotations

import json
from pathlib import Path

_DATA = json.loads((Path(__file__).with_name("registries.json")).read_text(encoding="utf-8"))

# RFC 5646 tags the validator accepts for `lang` and language-content keys.
LANG_CODES: frozenset[str] = frozenset(_DATA["lang_codes"])
# ISO 639-2 codes for software.languages.
SOFTWARE_LANG_CODES: frozenset[str] = frozenset(_DATA["software_lang_codes"])
# IANA media types (Template column) for artifact/file mime_type.
MEDIA_TYPES: frozenset[str] = frozenset(_DATA["media_types"])
# IANA character sets for directory.path_enc and file.name_enc.
CHAR_SETS: frozenset[str] = frozenset(_DATA["char_sets"])
