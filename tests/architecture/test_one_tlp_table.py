"""The official TLP marking ids are written out once, in hub.stix.tlp."""

from __future__ import annotations

from pathlib import Path

from hub.sanitize.context import TLP_IDS
from hub.stix.tlp import OFFICIAL_MARKINGS
from hub.validate.meta import TLP_V1

ROOT = Path(__file__).resolve().parents[2]
TABLE = ROOT / "hub" / "stix" / "tlp.py"


def test_no_module_spells_out_a_tlp_id_but_the_table() -> None:
    uuids = [marking_id.split("--", 1)[1] for marking_id in OFFICIAL_MARKINGS]
    assert len(uuids) == 9
    elsewhere = [
        f"{path.relative_to(ROOT)}: {uuid}"
        for package in ("hub", "api", "connectors", "schemas")
        for path in sorted((ROOT / package).rglob("*.py"))
        if path != TABLE
        for uuid in uuids
        if uuid in path.read_text()
    ]
    assert elsewhere == []


def test_the_sanitizer_and_the_validator_use_the_table() -> None:
    assert frozenset(OFFICIAL_MARKINGS) == TLP_IDS
    assert set(TLP_V1) < set(OFFICIAL_MARKINGS)
    assert len(TLP_V1) == 4
