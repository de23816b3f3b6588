"""TLP levels, official marking ids, and the effective TLP of objects in a bundle."""

from __future__ import annotations

import json
from typing import Any

import pytest
import stix2

from hub.stix import tlp
from hub.stix.tlp import Tlp, assess, claimed_level, effective_tlp, marking_id_for
from tests.paths import OASIS

FORGED_ID = "marking-definition--00000000-1111-4222-8333-444444444444"
STATEMENT_ID = "marking-definition--d81f86b9-975b-4c0b-875e-810c5ad45a4f"


def indicator(n: int, *, markings: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "type": "indicator",
        "spec_version": "2.1",
        "id": f"indicator--00000000-0000-4000-8000-{n:012d}",
        "created": "2024-01-01T00:00:00.000Z",
        "modified": "2024-01-01T00:00:00.000Z",
        "pattern": "[ipv4-addr:value = '203.0.113.5']",
        "pattern_type": "stix",
        "valid_from": "2024-01-01T00:00:00Z",
    }
    if markings is not None:
        obj["object_marking_refs"] = markings
    obj.update(extra)
    return obj


def relationship(n: int, source: str, target: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "relationship",
        "spec_version": "2.1",
        "id": f"relationship--00000000-0000-4000-8000-{n:012d}",
        "created": "2024-01-01T00:00:00.000Z",
        "modified": "2024-01-01T00:00:00.000Z",
        "relationship_type": "indicates",
        "source_ref": source,
        "target_ref": target,
        **extra,
    }


def tlp1_definition(marking_id: str, color: str) -> dict[str, Any]:
    return {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": marking_id,
        "created": "2017-01-20T00:00:00.000Z",
        "definition_type": "tlp",
        "name": f"TLP:{color.upper()}",
        "definition": {"tlp": color},
    }


def tlp2_definition(marking_id: str, label: str) -> dict[str, Any]:
    return {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": marking_id,
        "created": "2022-10-01T00:00:00.000Z",
        "name": f"TLP:{label.upper()}",
        "extensions": {
            tlp.TLP2_EXTENSION: {"extension_type": "property-extension", "tlp_2_0": label}
        },
    }


def statement(
    marking_id: str = STATEMENT_ID, text: str = "Copyright 2024 Example"
) -> dict[str, Any]:
    return {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": marking_id,
        "created": "2024-01-01T00:00:00.000Z",
        "definition_type": "statement",
        "definition": {"statement": text},
    }


# --- the level itself -------------------------------------------------------------------


def test_levels_are_ordered_from_clear_to_red() -> None:
    assert Tlp.CLEAR < Tlp.GREEN < Tlp.AMBER < Tlp.AMBER_STRICT < Tlp.RED


@pytest.mark.parametrize(
    ("level", "label"),
    [
        (Tlp.CLEAR, "TLP:CLEAR"),
        (Tlp.GREEN, "TLP:GREEN"),
        (Tlp.AMBER, "TLP:AMBER"),
        (Tlp.AMBER_STRICT, "TLP:AMBER+STRICT"),
        (Tlp.RED, "TLP:RED"),
    ],
)
def test_label_round_trips(level: Tlp, label: str) -> None:
    assert level.label == label
    assert Tlp.parse(label) is level
    assert Tlp.parse(label.lower()) is level


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("white", Tlp.CLEAR),
        ("TLP:WHITE", Tlp.CLEAR),
        ("clear", Tlp.CLEAR),
        ("Green", Tlp.GREEN),
        ("amber+strict", Tlp.AMBER_STRICT),
        ("AMBER_STRICT", Tlp.AMBER_STRICT),
        (" tlp:Red ", Tlp.RED),
    ],
)
def test_parse_accepts_settings_spellings(text: str, level: Tlp) -> None:
    assert Tlp.parse(text) is level


@pytest.mark.parametrize("text", ["", "TLP:", "purple", "TLP:AMBER+", "amber strict", "TLP:REDX"])
def test_parse_rejects_other_text(text: str) -> None:
    with pytest.raises(ValueError, match="not a TLP level"):
        Tlp.parse(text)


# --- official ids -----------------------------------------------------------------------


def test_tlp1_ids_are_the_ones_built_into_stix2() -> None:
    assert tlp.TLP1_WHITE == stix2.TLP_WHITE.id
    assert tlp.TLP1_GREEN == stix2.TLP_GREEN.id
    assert tlp.TLP1_AMBER == stix2.TLP_AMBER.id
    assert tlp.TLP1_RED == stix2.TLP_RED.id


def test_tlp1_definitions_in_stix2_claim_the_level_of_their_id() -> None:
    for marking in (stix2.TLP_WHITE, stix2.TLP_GREEN, stix2.TLP_AMBER, stix2.TLP_RED):
        definition = json.loads(marking.serialize())
        assert claimed_level(definition) is tlp.OFFICIAL_MARKINGS[marking.id]


def test_marking_id_for_each_version() -> None:
    assert marking_id_for(Tlp.CLEAR, "1.0") == stix2.TLP_WHITE.id
    assert marking_id_for(Tlp.RED, "1.0") == stix2.TLP_RED.id
    assert marking_id_for(Tlp.AMBER_STRICT, "2.0") == (
        "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"
    )
    assert marking_id_for(Tlp.GREEN) == "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
    with pytest.raises(ValueError, match="TLP 1.0 has no TLP:AMBER\\+STRICT"):
        marking_id_for(Tlp.AMBER_STRICT, "1.0")


OFFICIAL = [
    (stix2.TLP_WHITE.id, Tlp.CLEAR),
    (stix2.TLP_GREEN.id, Tlp.GREEN),
    (stix2.TLP_AMBER.id, Tlp.AMBER),
    (stix2.TLP_RED.id, Tlp.RED),
    ("marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487", Tlp.CLEAR),
    ("marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb", Tlp.GREEN),
    ("marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421", Tlp.AMBER),
    ("marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003", Tlp.AMBER_STRICT),
    ("marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1", Tlp.RED),
]


@pytest.mark.parametrize(("marking_id", "level"), OFFICIAL)
@pytest.mark.parametrize("default", [Tlp.CLEAR, Tlp.AMBER, Tlp.RED])
def test_official_ids_are_recognised_without_their_definition(
    marking_id: str, level: Tlp, default: Tlp
) -> None:
    obj = indicator(1, markings=[marking_id])
    assert effective_tlp([obj], default=default) == {obj["id"]: level}


def test_official_tlp2_definitions_in_the_bundle_agree_with_their_ids() -> None:
    labels = {Tlp.CLEAR: "clear", Tlp.GREEN: "green", Tlp.AMBER: "amber"}
    labels |= {Tlp.AMBER_STRICT: "amber+strict", Tlp.RED: "red"}
    for level, label in labels.items():
        marking_id = tlp.TLP2_IDS[level]
        definition = tlp2_definition(marking_id, label)
        obj = indicator(1, markings=[marking_id])
        levels = effective_tlp([obj, definition])
        assert levels[obj["id"]] is level
        assert levels[marking_id] is Tlp.CLEAR  # a definition, not intelligence


# --- forged ids -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "definition",
    [
        tlp1_definition(FORGED_ID, "white"),
        tlp2_definition(FORGED_ID, "clear"),
        {**statement(FORGED_ID), "name": "TLP:CLEAR"},
    ],
    ids=["tlp1-shape", "tlp2-extension", "name-only"],
)
def test_forged_clear_withholds_what_it_marks(definition: dict[str, Any]) -> None:
    obj = indicator(1, markings=[FORGED_ID])
    assert effective_tlp([obj, definition], default=Tlp.AMBER)[obj["id"]] is Tlp.RED
    verdict = assess([obj, definition], default=Tlp.AMBER)[obj["id"]]
    assert verdict.unresolved is not None and verdict.unresolved.marking_id == FORGED_ID
    assert "not an official TLP marking" in str(verdict.unresolved)


def test_forged_clear_next_to_official_green_still_withholds() -> None:
    obj = indicator(1, markings=[FORGED_ID, stix2.TLP_GREEN.id])
    verdicts = assess([obj, tlp2_definition(FORGED_ID, "clear")], default=Tlp.GREEN)
    assert verdicts[obj["id"]].unresolved is not None


def test_forged_claim_with_the_official_tlp1_shape_is_not_official() -> None:
    # Same content as stix2.TLP_WHITE, different id: a look-alike, not the real thing.
    forged = {**json.loads(stix2.TLP_WHITE.serialize()), "id": FORGED_ID}
    obj = indicator(1, markings=[FORGED_ID])
    assert effective_tlp([obj, forged], default=Tlp.GREEN)[obj["id"]] is Tlp.RED
    assert assess([obj, forged], default=Tlp.GREEN)[obj["id"]].unresolved is not None


@pytest.mark.parametrize(
    "definition",
    [
        tlp1_definition(FORGED_ID, "red"),
        tlp2_definition(FORGED_ID, "red"),
        {**statement(FORGED_ID), "name": "TLP:RED"},
    ],
    ids=["tlp1-shape", "tlp2-extension", "name-only"],
)
def test_forged_red_can_tighten(definition: dict[str, Any]) -> None:
    obj = indicator(1, markings=[stix2.TLP_GREEN.id, FORGED_ID])
    assert effective_tlp([obj, definition], default=Tlp.AMBER)[obj["id"]] is Tlp.RED


def test_forged_amber_strict_withholds() -> None:
    obj = indicator(1, markings=[FORGED_ID])
    definition = tlp2_definition(FORGED_ID, "amber+strict")
    verdict = assess([obj, definition], default=Tlp.GREEN)[obj["id"]]
    assert verdict.level is Tlp.RED and verdict.unresolved is not None
    assert "claims TLP:AMBER+STRICT" in verdict.unresolved.reason


def test_official_id_redefined_stricter_in_the_bundle_is_taken_at_the_stricter_level() -> None:
    redefined = tlp1_definition(stix2.TLP_WHITE.id, "red")
    obj = indicator(1, markings=[stix2.TLP_WHITE.id])
    assert effective_tlp([obj, redefined])[obj["id"]] is Tlp.RED


def test_official_id_redefined_looser_keeps_the_official_level() -> None:
    redefined = tlp2_definition(tlp.TLP2_RED, "clear")
    obj = indicator(1, markings=[tlp.TLP2_RED])
    assert effective_tlp([obj, redefined])[obj["id"]] is Tlp.RED


def test_tlp_claim_with_an_unreadable_level_counts_as_red() -> None:
    definition = tlp1_definition(FORGED_ID, "purple")
    obj = indicator(1, markings=[FORGED_ID])
    assert claimed_level(definition) is Tlp.RED
    assert effective_tlp([obj, definition], default=Tlp.GREEN)[obj["id"]] is Tlp.RED


def test_unresolvable_marking_withholds() -> None:
    obj = indicator(1, markings=[stix2.TLP_GREEN.id, FORGED_ID])
    verdict = assess([obj], default=Tlp.AMBER)[obj["id"]]
    assert verdict.level is Tlp.RED and verdict.unresolved is not None
    assert "not defined" in verdict.unresolved.reason


def test_unresolvable_marking_withholds_every_referrer() -> None:
    marked = indicator(1, markings=[FORGED_ID])
    rel = relationship(2, indicator(3)["id"], marked["id"])
    verdicts = assess([rel, marked, indicator(3)], default=Tlp.CLEAR)
    assert verdicts[rel["id"]].unresolved == verdicts[marked["id"]].unresolved
    assert verdicts[indicator(3)["id"]].unresolved is None


@pytest.mark.parametrize("official", sorted(tlp.OFFICIAL_MARKINGS))
def test_official_ids_in_any_letter_case_are_the_same_id(official: str) -> None:
    shouted = official.upper().replace("MARKING-DEFINITION", "marking-definition")
    obj = indicator(1, markings=[shouted])
    assert effective_tlp([obj])[obj["id"]] is tlp.OFFICIAL_MARKINGS[official]
    assert tlp.canonical_markings(obj)["object_marking_refs"] == [official]


def test_a_definition_the_hub_cannot_read_withholds() -> None:
    obj = indicator(1, markings=[FORGED_ID])
    pap = {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": FORGED_ID,
        "created": "2022-10-01T00:00:00.000Z",
        "extensions": {"extension-definition--00000000-0000-4000-8000-00000000000a": {}},
    }
    assert assess([obj, pap])[obj["id"]].unresolved is not None


def test_known_markings_resolve_ids_defined_elsewhere() -> None:
    obj = indicator(1, markings=[FORGED_ID])
    known = {FORGED_ID: Tlp.GREEN}
    assert effective_tlp([obj], default=Tlp.AMBER, known_markings=known)[obj["id"]] is Tlp.GREEN


def test_known_markings_cannot_override_an_official_id() -> None:
    obj = indicator(1, markings=[stix2.TLP_RED.id])
    known = {stix2.TLP_RED.id: Tlp.CLEAR}
    assert effective_tlp([obj], known_markings=known)[obj["id"]] is Tlp.RED


# --- statements and defaults ------------------------------------------------------------


def test_statement_marking_carries_no_level() -> None:
    obj = indicator(1, markings=[stix2.TLP_GREEN.id, STATEMENT_ID])
    levels = effective_tlp([obj, statement()], default=Tlp.AMBER)
    assert levels[obj["id"]] is Tlp.GREEN
    assert claimed_level(statement()) is None


def test_only_a_statement_marking_gets_the_default() -> None:
    obj = indicator(1, markings=[STATEMENT_ID])
    assert effective_tlp([obj, statement()], default=Tlp.GREEN)[obj["id"]] is Tlp.GREEN


@pytest.mark.parametrize("default", list(Tlp))
def test_unmarked_object_gets_the_default(default: Tlp) -> None:
    obj = indicator(1)
    assert effective_tlp([obj], default=default) == {obj["id"]: default}


def test_default_default_is_amber() -> None:
    obj = indicator(1)
    assert effective_tlp([obj]) == {obj["id"]: Tlp.AMBER}


def test_unmarked_marking_definition_is_clear_even_with_a_red_default() -> None:
    assert effective_tlp([statement()], default=Tlp.RED) == {STATEMENT_ID: Tlp.CLEAR}


def test_marked_marking_definition_takes_its_own_marking() -> None:
    definition = {**statement(), "object_marking_refs": [stix2.TLP_AMBER.id]}
    assert effective_tlp([definition], default=Tlp.CLEAR) == {STATEMENT_ID: Tlp.AMBER}


# --- several markings, granular markings ------------------------------------------------


def test_strictest_of_several_markings_wins() -> None:
    marks = [stix2.TLP_WHITE.id, tlp.TLP2_AMBER_STRICT, stix2.TLP_GREEN.id]
    obj = indicator(1, markings=marks)
    assert effective_tlp([obj])[obj["id"]] is Tlp.AMBER_STRICT


def test_granular_markings_count() -> None:
    obj = indicator(
        1,
        markings=[stix2.TLP_GREEN.id],
        granular_markings=[{"marking_ref": stix2.TLP_RED.id, "selectors": ["description"]}],
        description="seen at a victim",
    )
    assert effective_tlp([obj])[obj["id"]] is Tlp.RED


def test_granular_only_marking_is_a_marking() -> None:
    obj = indicator(
        1, granular_markings=[{"marking_ref": stix2.TLP_WHITE.id, "selectors": ["pattern"]}]
    )
    assert effective_tlp([obj], default=Tlp.AMBER)[obj["id"]] is Tlp.CLEAR


def test_oasis_granular_marking_example() -> None:
    bundle = json.loads((OASIS / "using-granular-markings.json").read_text())
    levels = effective_tlp(bundle["objects"], default=Tlp.AMBER)
    # The indicator carries RED on its description through a granular marking.
    assert levels["indicator--1ed8caa7-a708-4706-b651-f1186ede6ca1"] is Tlp.RED
    assert levels["threat-actor--8b6297fe-cae7-47c6-9256-5584b417849c"] is Tlp.RED
    # The identity is unmarked: it inherits from the RED objects that name it as creator.
    assert levels["identity--b38dfe21-7477-40d1-aa90-5c8671ce51ca"] is Tlp.RED


def test_oasis_marking_definitions_example() -> None:
    bundle = json.loads((OASIS / "using-marking-definitions.json").read_text())
    levels = effective_tlp(bundle["objects"], default=Tlp.GREEN)
    # Official AMBER plus a copyright statement: AMBER.
    assert levels["indicator--33fe3b22-0201-47cf-85d0-97c02164528d"] is Tlp.AMBER
    # The unmarked identity inherits AMBER from the indicator it created.
    assert levels["identity--611d9d41-dba5-4e13-9b29-e22488058ffc"] is Tlp.AMBER
    assert levels[stix2.TLP_AMBER.id] is Tlp.CLEAR
    assert levels[STATEMENT_ID] is Tlp.CLEAR


def test_oasis_interop_object_with_a_look_alike_red_id() -> None:
    # One digit off TLP:RED's id, and not defined anywhere: unresolvable, so withheld.
    obj = json.loads((OASIS / "schemas-interop-objectmarking-test.json").read_text())
    assert assess([obj], default=Tlp.AMBER)[obj["id"]].unresolved is not None


# --- transitive closure -----------------------------------------------------------------


def test_relationship_to_a_red_indicator_is_red() -> None:
    red = indicator(1, markings=[stix2.TLP_RED.id])
    green = indicator(2, markings=[stix2.TLP_GREEN.id])
    rel = relationship(3, green["id"], red["id"], object_marking_refs=[stix2.TLP_WHITE.id])
    levels = effective_tlp([rel, red, green])
    assert levels[rel["id"]] is Tlp.RED
    assert levels[green["id"]] is Tlp.GREEN  # references flow one way only


def test_closure_is_transitive_through_reports() -> None:
    red = indicator(1, markings=[tlp.TLP2_RED])
    rel = relationship(2, red["id"], indicator(3)["id"], object_marking_refs=[tlp.TLP2_CLEAR])
    report: dict[str, Any] = {
        "type": "report",
        "id": "report--00000000-0000-4000-8000-000000000009",
        "object_refs": [rel["id"]],
        "object_marking_refs": [tlp.TLP2_GREEN],
    }
    levels = effective_tlp([report, rel, red])
    assert levels[report["id"]] is Tlp.RED


def test_nested_refs_in_extensions_count() -> None:
    red_file: dict[str, Any] = {
        "type": "file",
        "id": "file--00000000-0000-4000-8000-000000000001",
        "name": "a.exe",
        "object_marking_refs": [stix2.TLP_RED.id],
    }
    email: dict[str, Any] = {
        "type": "email-message",
        "id": "email-message--00000000-0000-4000-8000-000000000002",
        "is_multipart": True,
        "body_multipart": [{"body_raw_ref": red_file["id"]}],
        "extensions": {"x-custom-ext": {"deep": {"sample_refs": [red_file["id"]]}}},
        "object_marking_refs": [stix2.TLP_GREEN.id],
    }
    assert effective_tlp([email, red_file])[email["id"]] is Tlp.RED
    only_extension = {**email, "body_multipart": []}
    assert effective_tlp([only_extension, red_file])[email["id"]] is Tlp.RED


def test_unmarked_reference_does_not_impose_the_default() -> None:
    green = indicator(1, markings=[stix2.TLP_GREEN.id], created_by_ref="identity--unmarked")
    identity = {"type": "identity", "id": "identity--unmarked", "name": "Hub"}
    levels = effective_tlp([green, identity], default=Tlp.AMBER)
    assert levels[green["id"]] is Tlp.GREEN
    assert levels[identity["id"]] is Tlp.GREEN  # inherited from its only referrer


def test_unmarked_object_referenced_only_by_red_is_red() -> None:
    red = indicator(1, markings=[stix2.TLP_RED.id], created_by_ref="identity--unmarked")
    identity = {"type": "identity", "id": "identity--unmarked", "name": "Victim"}
    verdict = assess([red, identity], default=Tlp.AMBER)[identity["id"]]
    assert verdict.level is Tlp.RED and verdict.source == "inherited"


def test_unmarked_object_takes_the_least_strict_referrer() -> None:
    red = indicator(1, markings=[stix2.TLP_RED.id], created_by_ref="identity--unmarked")
    green = indicator(2, markings=[stix2.TLP_GREEN.id], created_by_ref="identity--unmarked")
    root = indicator(3, created_by_ref="identity--other")
    identity = {"type": "identity", "id": "identity--unmarked", "name": "Victim"}
    other = {"type": "identity", "id": "identity--other", "name": "Other"}
    verdicts = assess([red, green, root, identity, other], default=Tlp.AMBER)
    assert verdicts[identity["id"]].level is Tlp.GREEN
    assert verdicts[root["id"]].level is Tlp.AMBER and verdicts[root["id"]].source == "default"
    assert verdicts[other["id"]].level is Tlp.AMBER  # inherits the default of its referrer


def test_inheritance_passes_through_unmarked_chains() -> None:
    red = indicator(1, markings=[stix2.TLP_RED.id], created_by_ref="identity--a")
    a = {"type": "identity", "id": "identity--a", "name": "A", "x_ref": "identity--b"}
    b = {"type": "identity", "id": "identity--b", "name": "B", "x_ref": "identity--a"}
    levels = effective_tlp([b, a, red], default=Tlp.CLEAR)
    assert levels["identity--a"] is Tlp.RED and levels["identity--b"] is Tlp.RED


def test_unmarked_object_referencing_a_marked_one_takes_that_marking() -> None:
    clear = indicator(1, markings=[stix2.TLP_WHITE.id])
    rel = relationship(2, clear["id"], clear["id"])
    assert effective_tlp([rel, clear], default=Tlp.AMBER)[rel["id"]] is Tlp.CLEAR


def test_references_to_objects_outside_the_bundle_are_ignored() -> None:
    rel = relationship(1, "indicator--absent", "malware--absent")
    rel["object_marking_refs"] = [stix2.TLP_GREEN.id]
    assert effective_tlp([rel]) == {rel["id"]: Tlp.GREEN}


def test_marking_refs_are_not_followed_as_content() -> None:
    # A marked marking-definition does not make the objects it marks stricter.
    definition = {**statement(), "object_marking_refs": [stix2.TLP_RED.id]}
    obj = indicator(1, markings=[stix2.TLP_GREEN.id, STATEMENT_ID])
    assert effective_tlp([obj, definition])[obj["id"]] is Tlp.GREEN


def test_cycles_share_the_strictest_level() -> None:
    a = relationship(1, "relationship--00000000-0000-4000-8000-000000000002", "x--none")
    b = relationship(2, "relationship--00000000-0000-4000-8000-000000000003", "x--none")
    c = relationship(3, a["id"], "x--none", object_marking_refs=[tlp.TLP2_AMBER_STRICT])
    a["object_marking_refs"] = [tlp.TLP2_CLEAR]
    levels = effective_tlp([a, b, c], default=Tlp.CLEAR)
    assert levels == {
        a["id"]: Tlp.AMBER_STRICT,
        b["id"]: Tlp.AMBER_STRICT,
        c["id"]: Tlp.AMBER_STRICT,
    }


def test_unmarked_cycle_gets_the_default_and_self_reference_is_harmless() -> None:
    a = relationship(1, "relationship--00000000-0000-4000-8000-000000000002", "x--none")
    b = relationship(2, a["id"], "relationship--00000000-0000-4000-8000-000000000002")
    levels = effective_tlp([a, b], default=Tlp.GREEN)
    assert levels == {a["id"]: Tlp.GREEN, b["id"]: Tlp.GREEN}


def test_versions_of_one_id_are_decided_together() -> None:
    old = indicator(1, markings=[stix2.TLP_RED.id])
    new = {**indicator(1, markings=[stix2.TLP_WHITE.id]), "modified": "2024-02-01T00:00:00.000Z"}
    assert effective_tlp([old, new]) == {old["id"]: Tlp.RED}


def test_long_chain_resolves_without_recursion_limits() -> None:
    chain = [indicator(0, markings=[stix2.TLP_RED.id])]
    for n in range(1, 5000):
        chain.append(relationship(n, chain[-1]["id"], chain[-1]["id"]))
    levels = effective_tlp(chain, default=Tlp.CLEAR)
    assert set(levels.values()) == {Tlp.RED}
    assert len(levels) == 5000


def test_objects_without_an_id_are_skipped() -> None:
    assert effective_tlp([{"type": "indicator"}]) == {}
