"""The sharing policy: an exhaustive table over TLP x scope x consent, and its invariants."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest
import stix2
from hypothesis import given, settings
from hypothesis import strategies as st

from hub import sharing
from hub.sharing import Consent, Decision, Scope, by_collection, collection_ceiling, route
from hub.stix import tlp
from hub.stix.tlp import Tlp

OASIS = Path(__file__).resolve().parent.parent / "data" / "oasis"

OWN = "energy"
KNOWN = frozenset({"energy", "finance", "health", "water"})
EXTRAS = frozenset({"finance", "health"})

# How the table spells collections: own sector, the extra sectors, members, public.
NAMES = {
    "own": frozenset({"sector-energy"}),
    "extra": frozenset({"sector-finance", "sector-health"}),
    "members": frozenset({"members"}),
    "public": frozenset({"public"}),
}


def spelled(text: str) -> frozenset[str]:
    return frozenset().union(*(NAMES[word] for word in text.split()))


# What the operator's scope names (the narrowest first), written out by hand.
TARGETS = {
    "sector": "own",
    "sectors": "own extra",
    "members": "own members",
    "public": "own members public",
}

ANY = "*"
# level, breadth, approved, cross_sector, amber_strict, public_enabled -> collections.
# Exactly one row must match each case: the table is checked to be a partition.
TABLE: list[tuple[Any, Any, Any, Any, Any, Any, str]] = [
    (ANY, ANY, False, ANY, ANY, ANY, ""),
    ("RED", ANY, True, ANY, ANY, ANY, ""),
    ("AMBER+STRICT", ANY, True, ANY, False, ANY, ""),
    ("AMBER+STRICT", ANY, True, ANY, True, ANY, "own"),
    ("AMBER", "sector", True, ANY, ANY, ANY, "own"),
    ("AMBER", "sectors", True, False, ANY, ANY, "own"),
    ("AMBER", "sectors", True, True, ANY, ANY, "own extra"),
    ("AMBER", "members", True, False, ANY, ANY, "own"),
    ("AMBER", "members", True, True, ANY, ANY, "own members"),
    ("AMBER", "public", True, False, ANY, ANY, "own"),
    ("AMBER", "public", True, True, ANY, ANY, "own members"),
    ("GREEN", "sector", True, ANY, ANY, ANY, "own"),
    ("GREEN", "sectors", True, ANY, ANY, ANY, "own extra"),
    ("GREEN", "members", True, ANY, ANY, ANY, "own members"),
    ("GREEN", "public", True, ANY, ANY, ANY, "own members"),
    ("CLEAR", "sector", True, ANY, ANY, ANY, "own"),
    ("CLEAR", "sectors", True, ANY, ANY, ANY, "own extra"),
    ("CLEAR", "members", True, ANY, ANY, ANY, "own members"),
    ("CLEAR", "public", True, ANY, ANY, False, "own members"),
    ("CLEAR", "public", True, ANY, ANY, True, "own public"),
]


def expected(level: str, breadth: str, flags: tuple[bool, bool, bool], public: bool) -> str:
    key = (level, breadth, *flags, public)
    matches = [
        row[-1]
        for row in TABLE
        if all(want == ANY or want == got for want, got in zip(row[:-1], key, strict=True))
    ]
    assert len(matches) == 1, f"table rows matching {key}: {matches}"
    return matches[0]


# (label of the marking in the table, marking id or None, TLP 2.0 definition to include)
MARKINGS: list[tuple[str, str, str | None]] = [
    ("CLEAR", "1.0", stix2.TLP_WHITE.id),
    ("GREEN", "1.0", stix2.TLP_GREEN.id),
    ("AMBER", "1.0", stix2.TLP_AMBER.id),
    ("RED", "1.0", stix2.TLP_RED.id),
    ("CLEAR", "2.0", "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"),
    ("GREEN", "2.0", "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"),
    ("AMBER", "2.0", "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"),
    ("AMBER+STRICT", "2.0", "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"),
    ("RED", "2.0", "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"),
    # Unmarked: the hub default decides; the table row is the default's.
    ("CLEAR", "none", None),
    ("GREEN", "none", None),
    ("AMBER", "none", None),
    ("AMBER+STRICT", "none", None),
    ("RED", "none", None),
]

TLP2_WORD = {
    "CLEAR": "clear",
    "GREEN": "green",
    "AMBER": "amber",
    "AMBER+STRICT": "amber+strict",
    "RED": "red",
}
INDICATOR_ID = "indicator--11111111-1111-4111-8111-111111111111"


def marked_indicator(marking: str | None, n: int = 0, **extra: Any) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "type": "indicator",
        "spec_version": "2.1",
        "id": INDICATOR_ID if n == 0 else f"indicator--00000000-0000-4000-8000-{n:012d}",
        "created": "2024-01-01T00:00:00.000Z",
        "modified": "2024-01-01T00:00:00.000Z",
        "pattern": "[domain-name:value = 'evil.example']",
        "pattern_type": "stix",
        "valid_from": "2024-01-01T00:00:00Z",
    }
    if marking is not None:
        obj["object_marking_refs"] = [marking]
    obj.update(extra)
    return obj


def tlp2_definition(marking_id: str, word: str) -> dict[str, Any]:
    return {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": marking_id,
        "created": "2022-10-01T00:00:00.000Z",
        "name": f"TLP:{word.upper()}",
        "extensions": {
            tlp.TLP2_EXTENSION: {"extension_type": "property-extension", "tlp_2_0": word}
        },
    }


FLAGS = list(itertools.product([False, True], repeat=3))


@pytest.mark.parametrize("public_enabled", [False, True], ids=["nopub", "pub"])
@pytest.mark.parametrize(
    "flags", FLAGS, ids=lambda f: "".join("ACS"[i] if v else "-" for i, v in enumerate(f))
)
@pytest.mark.parametrize("breadth", list(TARGETS))
@pytest.mark.parametrize(
    ("level", "version", "marking"), MARKINGS, ids=[f"{v}-{lvl}" for lvl, v, _ in MARKINGS]
)
def test_policy_table(
    level: str,
    version: str,
    marking: str | None,
    breadth: str,
    flags: tuple[bool, bool, bool],
    public_enabled: bool,
) -> None:
    approved, cross_sector, amber_strict = flags
    objects = [marked_indicator(marking)]
    if version == "2.0":
        # Real TLP 2.0 bundles carry the definition; it must not change the outcome.
        assert marking is not None
        objects.append(tlp2_definition(marking, TLP2_WORD[level]))
    default = Tlp.parse(level) if version == "none" else Tlp.AMBER
    scope = Scope(breadth, EXTRAS if breadth == "sectors" else frozenset())  # type: ignore[arg-type]

    routing = route(
        objects,
        own_sector=OWN,
        scope=scope,
        consent=Consent(approved=approved, cross_sector=cross_sector, amber_strict=amber_strict),
        default_tlp=default,
        public_enabled=public_enabled,
        known_sectors=KNOWN,
    )

    want = spelled(expected(level, breadth, flags, public_enabled))
    decision = routing[INDICATOR_ID]
    assert decision.tlp is Tlp.parse(level)
    assert decision.collections == want
    # Every scope target not reached is explained, except members when public covers it.
    covered = NAMES["members"] if "public" in want else frozenset()
    missing = spelled(TARGETS[breadth]) - want - covered
    assert {reason.split(":", 1)[0] for reason in decision.withheld} == missing
    assert len(decision.withheld) == len(missing)


def test_table_reasons_name_the_rule() -> None:
    def reasons(marking: str | None, consent: Consent, breadth: str = "public") -> str:
        scope = Scope(breadth)  # type: ignore[arg-type]
        routing = route(
            [marked_indicator(marking)],
            own_sector=OWN,
            scope=scope,
            consent=consent,
            default_tlp=Tlp.AMBER,
            public_enabled=False,
            known_sectors=KNOWN,
        )
        return " | ".join(routing[INDICATOR_ID].withheld)

    yes = Consent(approved=True)
    assert "TLP:RED is never republished" in reasons(stix2.TLP_RED.id, yes)
    assert "has not approved" in reasons(stix2.TLP_WHITE.id, Consent())
    assert "consent for this submission" in reasons(tlp.TLP2_AMBER_STRICT, yes)
    assert "cross-sector consent" in reasons(stix2.TLP_AMBER.id, yes)
    assert "public: TLP:GREEN is never public" in reasons(stix2.TLP_GREEN.id, yes)
    assert "public: the public collection is not enabled" in reasons(stix2.TLP_WHITE.id, yes)


# --- scenarios --------------------------------------------------------------------------


def run(objects: list[dict[str, Any]], **overrides: Any) -> dict[str, Decision]:
    arguments: dict[str, Any] = {
        "own_sector": OWN,
        "scope": Scope("public"),
        "consent": Consent(approved=True, cross_sector=True, amber_strict=True),
        "default_tlp": Tlp.AMBER,
        "public_enabled": True,
        "known_sectors": KNOWN,
    }
    arguments.update(overrides)
    return route(objects, **arguments)


def rel(n: int, source: str, target: str, marking: str | None) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "type": "relationship",
        "spec_version": "2.1",
        "id": f"relationship--00000000-0000-4000-8000-{n:012d}",
        "relationship_type": "indicates",
        "source_ref": source,
        "target_ref": target,
    }
    if marking is not None:
        obj["object_marking_refs"] = [marking]
    return obj


def test_relationship_to_a_red_object_goes_nowhere() -> None:
    red = marked_indicator(stix2.TLP_RED.id, 1)
    green = marked_indicator(stix2.TLP_GREEN.id, 2)
    link = rel(3, green["id"], red["id"], stix2.TLP_WHITE.id)
    routing = run([red, green, link])
    assert routing[link["id"]].tlp is Tlp.RED
    assert routing[link["id"]].collections == frozenset()
    assert routing[green["id"]].collections == {"sector-energy", "members"}


def test_unmarked_indicator_inherits_from_the_relationship_that_needs_it() -> None:
    # The unmarked indicator is only referenced by a GREEN relationship: it is GREEN too,
    # so members get both (not the AMBER default, which would hold the relationship back).
    target = marked_indicator(None, 1)
    link = rel(2, target["id"], target["id"], stix2.TLP_GREEN.id)
    routing = run([target, link], scope=Scope("members"), consent=Consent(approved=True))
    assert routing[target["id"]].tlp is Tlp.GREEN
    assert routing[target["id"]].collections == {"sector-energy", "members"}
    assert routing[link["id"]].collections == {"sector-energy", "members"}


def test_unmarked_indicator_named_only_by_red_is_withheld() -> None:
    target = marked_indicator(None, 1)
    link = rel(2, target["id"], target["id"], stix2.TLP_RED.id)
    routing = run([target, link], default_tlp=Tlp.GREEN)
    assert routing[target["id"]].tlp is Tlp.RED
    assert routing[target["id"]].collections == frozenset()


def test_unmarked_indicator_takes_the_least_strict_referrer() -> None:
    target = marked_indicator(None, 1)
    red = rel(2, target["id"], target["id"], stix2.TLP_RED.id)
    green = rel(3, target["id"], target["id"], stix2.TLP_GREEN.id)
    routing = run([red, target, green])
    assert routing[target["id"]].tlp is Tlp.GREEN
    assert routing[target["id"]].collections == {"sector-energy", "members"}


def test_clear_relationship_to_a_green_indicator_is_green() -> None:
    green = marked_indicator(stix2.TLP_GREEN.id, 1)
    link = rel(2, green["id"], green["id"], stix2.TLP_WHITE.id)
    routing = run([green, link])
    assert routing[link["id"]].tlp is Tlp.GREEN
    assert routing[link["id"]].collections == {"sector-energy", "members"}


def test_withholding_propagates_through_chains_in_any_order() -> None:
    # A CLEAR chain ending on an AMBER indicator: each link loses members and public only
    # once the link below it has.
    target = marked_indicator(stix2.TLP_AMBER.id, 1)
    chain = [target]
    for n in range(2, 6):
        chain.append(rel(n, chain[-1]["id"], chain[-1]["id"], stix2.TLP_WHITE.id))
    for objects in (chain, chain[::-1]):
        routing = run(objects, consent=Consent(approved=True))
        for obj in chain:
            assert routing[obj["id"]].collections == {"sector-energy"}, obj["id"]
        assert routing[chain[1]["id"]].tlp is Tlp.AMBER


def test_object_marked_with_a_red_marked_definition_is_withheld() -> None:
    sealed_statement: dict[str, Any] = {
        "type": "marking-definition",
        "id": "marking-definition--00000000-0000-4000-8000-00000000aaaa",
        "definition_type": "statement",
        "definition": {"statement": "internal"},
        "object_marking_refs": [stix2.TLP_RED.id],
    }
    obj = marked_indicator(stix2.TLP_WHITE.id, 1)
    obj["object_marking_refs"].append(sealed_statement["id"])
    routing = run([obj, sealed_statement])
    assert routing[sealed_statement["id"]].collections == frozenset()
    assert routing[obj["id"]].tlp is Tlp.CLEAR
    assert routing[obj["id"]].collections == frozenset()


def test_unmarked_statement_definition_is_clear() -> None:
    bundle = json.loads((OASIS / "using-marking-definitions.json").read_text())
    routing = run(bundle["objects"], default_tlp=Tlp.GREEN, consent=Consent(approved=True))
    indicator_id = "indicator--33fe3b22-0201-47cf-85d0-97c02164528d"
    statement_id = "marking-definition--d81f86b9-975b-4c0b-875e-810c5ad45a4f"
    # The indicator is AMBER (no cross-sector consent); the statement it uses goes only where
    # it goes, and the unmarked identity that created it inherits its AMBER.
    assert routing[indicator_id].collections == {"sector-energy"}
    assert routing[statement_id].tlp is Tlp.CLEAR
    assert routing[statement_id].collections == {"sector-energy"}
    assert routing["identity--611d9d41-dba5-4e13-9b29-e22488058ffc"].collections == {
        "sector-energy"
    }


def test_own_sector_listed_as_extra_is_not_duplicated() -> None:
    scope = Scope("sectors", frozenset({OWN, "water"}))
    routing = run([marked_indicator(stix2.TLP_GREEN.id)], scope=scope)
    assert routing[INDICATOR_ID].collections == {"sector-energy", "sector-water"}
    assert routing[INDICATOR_ID].withheld == ()


def test_sectors_without_extras_is_the_own_sector() -> None:
    routing = run([marked_indicator(stix2.TLP_WHITE.id)], scope=Scope("sectors"))
    assert routing[INDICATOR_ID].collections == {"sector-energy"}


def test_unknown_sectors_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown sector\\(s\\): mining, oil"):
        run([marked_indicator(None)], scope=Scope("sectors", frozenset({"oil", "mining"})))
    with pytest.raises(ValueError, match="unknown sector\\(s\\): space"):
        run([marked_indicator(None)], own_sector="space")


def test_scope_refuses_extra_sectors_outside_sectors_breadth() -> None:
    with pytest.raises(ValueError, match="extra sectors"):
        Scope("members", frozenset({"finance"}))
    with pytest.raises(ValueError, match="unknown sharing breadth"):
        Scope("everyone")  # type: ignore[arg-type]


def test_empty_submission_routes_nothing() -> None:
    assert run([]) == {}


def test_by_collection_groups_ids() -> None:
    green = marked_indicator(stix2.TLP_GREEN.id, 1)
    clear = marked_indicator(stix2.TLP_WHITE.id, 2)
    red = marked_indicator(stix2.TLP_RED.id, 3)
    grouped = by_collection(run([green, clear, red]))
    assert grouped == {
        "sector-energy": {green["id"], clear["id"]},
        "members": {green["id"]},
        "public": {clear["id"]},
    }


@pytest.mark.parametrize(
    ("collection", "ceiling"),
    [
        ("sector-energy", Tlp.AMBER_STRICT),
        ("sector-x", Tlp.AMBER_STRICT),
        ("members", Tlp.GREEN),
        ("public", Tlp.CLEAR),
    ],
)
def test_collection_ceiling(collection: str, ceiling: Tlp) -> None:
    assert collection_ceiling(collection) is ceiling


@pytest.mark.parametrize("collection", ["inbox", "sector-", "Members", ""])
def test_collection_ceiling_refuses_other_names(collection: str) -> None:
    with pytest.raises(ValueError, match="not a collection"):
        collection_ceiling(collection)


# --- properties -------------------------------------------------------------------------

OFFICIAL_IDS = sorted(tlp.OFFICIAL_MARKINGS)
UNRESOLVED = "marking-definition--99999999-9999-4999-8999-999999999999"
BREADTH_ORDER = ["sector", "sectors", "members", "public"]


@st.composite
def submissions(draw: st.DrawFn) -> tuple[list[dict[str, Any]], dict[str, set[str]]]:
    """A small bundle with arbitrary references (cycles too), and each object's dependencies."""
    kinds = draw(
        st.lists(
            st.sampled_from(["indicator", "report", "marking-definition"]), min_size=1, max_size=7
        )
    )
    ids = [f"{kind}--00000000-0000-4000-8000-{n:012d}" for n, kind in enumerate(kinds)]
    definitions = [
        oid for oid, kind in zip(ids, kinds, strict=True) if kind == "marking-definition"
    ]
    objects: list[dict[str, Any]] = []
    deps: dict[str, set[str]] = {}
    for oid, kind in zip(ids, kinds, strict=True):
        obj: dict[str, Any] = {"type": kind, "id": oid}
        refs = draw(st.lists(st.sampled_from(ids), max_size=3))
        if kind == "report":
            obj["object_refs"] = refs
        elif refs:
            obj["x_extension"] = {"nested": {"sample_ref": refs[0]}}
            refs = refs[:1]
        if kind == "marking-definition":
            obj["definition_type"] = "statement"
            obj["definition"] = {"statement": "terms"}
            claim = draw(st.sampled_from([None, "TLP:CLEAR", "TLP:GREEN", "TLP:RED"]))
            if claim is not None:
                obj["name"] = claim
        markings: list[str] = draw(
            st.lists(st.sampled_from([*OFFICIAL_IDS, *definitions, UNRESOLVED]), max_size=2)
        )
        granular: bool = draw(st.booleans())
        if markings and granular:
            obj["granular_markings"] = [{"marking_ref": markings[0], "selectors": ["id"]}]
            obj["object_marking_refs"] = markings[1:]
        else:
            obj["object_marking_refs"] = markings
        objects.append(obj)
        deps[oid] = {ref for ref in (*refs, *markings) if ref in ids and ref != oid}
    return objects, deps


consents = st.builds(Consent, st.booleans(), st.booleans(), st.booleans())
extra_sets = st.frozensets(st.sampled_from(sorted(KNOWN)), max_size=3)


@st.composite
def scope_pairs(draw: st.DrawFn) -> tuple[Scope, Scope]:
    """Two scopes, the second at least as broad as the first."""
    low, high = sorted(draw(st.lists(st.integers(0, 3), min_size=2, max_size=2)))
    small = draw(extra_sets)
    large = small | draw(extra_sets)

    def make(index: int, extras: frozenset[str]) -> Scope:
        breadth = BREADTH_ORDER[index]
        return Scope(breadth, extras if breadth == "sectors" else frozenset())  # type: ignore[arg-type]

    return make(low, small), make(high, large)


def audience(collections: frozenset[str]) -> frozenset[str]:
    """Who can read an object published to these collections."""
    readers: set[str] = set()
    for collection in collections:
        if collection == "public":
            readers |= KNOWN | {"anonymous"}
        elif collection == "members":
            readers |= KNOWN
        else:
            readers.add(collection.removeprefix("sector-"))
    return frozenset(readers)


def readable(collections: frozenset[str], collection: str) -> bool:
    """A reader of `collection` can also read `public`, and sector readers read `members`."""
    if collection in collections or "public" in collections:
        return True
    return collection.startswith("sector-") and "members" in collections


def routed(
    objects: list[dict[str, Any]],
    scope: Scope,
    consent: Consent,
    default: Tlp,
    public_enabled: bool,
) -> dict[str, Decision]:
    return route(
        objects,
        own_sector=OWN,
        scope=scope,
        consent=consent,
        default_tlp=default,
        public_enabled=public_enabled,
        known_sectors=KNOWN,
    )


PROPERTY = settings(max_examples=300, deadline=None)


@PROPERTY
@given(submissions(), scope_pairs(), consents, st.sampled_from(list(Tlp)), st.booleans())
def test_never_beyond_the_tlp_ceiling(
    bundle: tuple[list[dict[str, Any]], dict[str, set[str]]],
    scopes: tuple[Scope, Scope],
    consent: Consent,
    default: Tlp,
    public_enabled: bool,
) -> None:
    objects, _ = bundle
    scope = scopes[1]
    routing = routed(objects, scope, consent, default, public_enabled)
    levels = tlp.effective_tlp(objects, default=default)
    targets = set(sharing.scope_targets(scope, OWN))
    assert routing.keys() == levels.keys()
    for oid, decision in routing.items():
        assert decision.tlp is levels[oid]
        assert decision.collections <= targets
        if not decision.collections:
            continue
        assert "sector-energy" in decision.collections  # the own sector always gets it
        assert consent.approved
        assert decision.tlp is not Tlp.RED
        for collection in decision.collections:
            if collection == "public":
                assert decision.tlp is Tlp.CLEAR and public_enabled
            elif collection == "sector-energy":
                assert decision.tlp <= Tlp.AMBER or consent.amber_strict
            else:
                assert decision.tlp <= Tlp.GREEN or (
                    decision.tlp is Tlp.AMBER and consent.cross_sector
                )
        assert not ({"members", "public"} <= decision.collections)


@PROPERTY
@given(submissions(), scope_pairs(), consents, st.sampled_from(list(Tlp)), st.booleans())
def test_nothing_without_approval(
    bundle: tuple[list[dict[str, Any]], dict[str, set[str]]],
    scopes: tuple[Scope, Scope],
    consent: Consent,
    default: Tlp,
    public_enabled: bool,
) -> None:
    objects, _ = bundle
    unapproved = Consent(False, consent.cross_sector, consent.amber_strict)
    routing = routed(objects, scopes[1], unapproved, default, public_enabled)
    assert all(not decision.collections for decision in routing.values())
    assert all(decision.withheld for decision in routing.values())


@PROPERTY
@given(submissions(), scope_pairs(), consents, consents, st.sampled_from(list(Tlp)), st.booleans())
def test_more_consent_never_removes_a_collection(
    bundle: tuple[list[dict[str, Any]], dict[str, set[str]]],
    scopes: tuple[Scope, Scope],
    first: Consent,
    second: Consent,
    default: Tlp,
    public_enabled: bool,
) -> None:
    objects, _ = bundle
    less = Consent(*(a and b for a, b in zip(_flags(first), _flags(second), strict=True)))
    more = Consent(*(a or b for a, b in zip(_flags(first), _flags(second), strict=True)))
    narrow = routed(objects, scopes[1], less, default, public_enabled)
    wide = routed(objects, scopes[1], more, default, public_enabled)
    for oid in narrow:
        assert narrow[oid].collections <= wide[oid].collections


def _flags(consent: Consent) -> tuple[bool, bool, bool]:
    return consent.approved, consent.cross_sector, consent.amber_strict


@PROPERTY
@given(submissions(), scope_pairs(), consents, st.sampled_from(list(Tlp)), st.booleans())
def test_broader_scope_never_loses_a_reader(
    bundle: tuple[list[dict[str, Any]], dict[str, set[str]]],
    scopes: tuple[Scope, Scope],
    consent: Consent,
    default: Tlp,
    public_enabled: bool,
) -> None:
    # Collections can change (public replaces members), the set of readers only grows.
    objects, _ = bundle
    narrow = routed(objects, scopes[0], consent, default, public_enabled)
    wide = routed(objects, scopes[1], consent, default, public_enabled)
    opened = routed(objects, scopes[1], consent, default, True)
    for oid in narrow:
        assert audience(narrow[oid].collections) <= audience(wide[oid].collections)
        assert audience(wide[oid].collections) <= audience(opened[oid].collections)


@PROPERTY
@given(submissions(), scope_pairs(), consents, st.sampled_from(list(Tlp)), st.booleans())
def test_no_published_reference_is_unreadable(
    bundle: tuple[list[dict[str, Any]], dict[str, set[str]]],
    scopes: tuple[Scope, Scope],
    consent: Consent,
    default: Tlp,
    public_enabled: bool,
) -> None:
    objects, deps = bundle
    routing = routed(objects, scopes[1], consent, default, public_enabled)
    for oid, decision in routing.items():
        for collection in decision.collections:
            # An optional reference the readers there cannot get is stripped from that copy.
            stripped = decision.stripped.get(collection, frozenset())
            for dep in deps[oid] - stripped:
                assert readable(routing[dep].collections, collection), (oid, collection, dep)


@PROPERTY
@given(submissions(), scope_pairs(), st.sampled_from(list(Tlp)), st.booleans())
def test_every_lost_reader_is_explained_by_a_reference(
    bundle: tuple[list[dict[str, Any]], dict[str, set[str]]],
    scopes: tuple[Scope, Scope],
    default: Tlp,
    public_enabled: bool,
) -> None:
    # With no references at all, each object gets exactly what its own TLP allows; so every
    # collection lost in the full bundle must be explained by a reference.
    objects, deps = bundle
    consent = Consent(approved=True, cross_sector=True, amber_strict=False)
    routing = routed(objects, scopes[1], consent, default, public_enabled)
    levels = tlp.effective_tlp(objects, default=default)
    for oid, decision in routing.items():
        alone = routed(
            [{"type": "indicator", "id": oid, "object_marking_refs": [_official(levels[oid])]}],
            scopes[1],
            consent,
            default,
            public_enabled,
        )[oid]
        assert audience(decision.collections) <= audience(alone.collections)
        if audience(decision.collections) != audience(alone.collections):
            if oid.startswith("marking-definition--"):
                # A definition follows what uses it instead of going anywhere on its own.
                assert any("uses it" in r or "it references" in r for r in decision.withheld)
            else:
                assert deps[oid], oid
                assert any("it references" in reason for reason in decision.withheld)


def _official(level: Tlp) -> str:
    return tlp.marking_id_for(level, "2.0")
