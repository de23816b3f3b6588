"""How a STIX type is described to the validator: its properties' checks and its own rules."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from hub.validate import common as c
from hub.validate import properties as p
from hub.validate.errors import Problem

Constraint = Callable[[dict[str, Any], list[Problem]], None]


@dataclass(frozen=True, slots=True)
class TypeSpec:
    """Checks for one STIX type: every defined property, what is required, cross-property rules."""

    kind: str  # "sdo", "sro", "sco" or "meta"
    props: Mapping[str, c.Check]
    required: tuple[str, ...]
    constraints: tuple[Constraint, ...] = field(default=())


# Common properties of SDOs and SROs (STIX 2.1 §3.2); type/id are checked by the driver.
DOMAIN_COMMON: dict[str, c.Check] = {
    "spec_version": c.fixed("2.1"),
    "created_by_ref": c.ref(("identity",)),
    "created": c.timestamp_millis,
    "modified": c.timestamp_millis,
    "revoked": c.boolean,
    "labels": c.string_list,
    "confidence": c.integer(0, 100),
    "lang": p.lang,
    "external_references": p.external_references,
    "object_marking_refs": p.object_marking_refs,
    "granular_markings": p.granular_markings,
    "extensions": p.extensions(),
}
DOMAIN_REQUIRED = ("spec_version", "created", "modified")

# Common properties of SCOs (§6.1).
SCO_COMMON: dict[str, c.Check] = {
    "spec_version": c.fixed("2.1"),
    "object_marking_refs": p.object_marking_refs,
    "granular_markings": p.granular_markings,
    "defanged": c.boolean,
    # Not SCO properties, but stix2-validator orders them wherever they appear.
    "created": c.timestamp,
    "modified": c.timestamp,
    "extensions": p.extensions(),
    "lang": p.lang,
}


def domain(
    kind: str,
    props: dict[str, c.Check],
    required: tuple[str, ...],
    *constraints: Constraint,
) -> TypeSpec:
    """An SDO or SRO spec with the common properties merged in."""
    return TypeSpec(
        kind,
        {**DOMAIN_COMMON, **props},
        DOMAIN_REQUIRED + required,
        (modified_after_created, *constraints),
    )


def modified_after_created(obj: dict[str, Any], out: list[Problem]) -> None:
    """modified >= created (§3.2); SDO/SRO timestamps have millisecond precision."""
    c.compare_timestamps(obj, "modified", "created", False, out, millis=True)


def modified_after_created_any(obj: dict[str, Any], out: list[Problem]) -> None:
    """modified >= created where they are not the SDO common properties (SCOs, markings)."""
    c.compare_timestamps(obj, "modified", "created", False, out)


def order(later: str, earlier: str, strict: bool = False) -> Constraint:
    """A timestamp ordering rule such as last_seen >= first_seen."""

    def rule(obj: dict[str, Any], out: list[Problem]) -> None:
        c.compare_timestamps(obj, later, earlier, strict, out)

    return rule


def at_least_one(*names: str) -> Constraint:
    """At least one of the properties must be present."""

    def rule(obj: dict[str, Any], out: list[Problem]) -> None:
        if not any(n in obj for n in names):
            c.problem(out, None, "needs at least one of: " + ", ".join(names))

    return rule


def together(*names: str) -> Constraint:
    """The properties appear all together or not at all."""

    def rule(obj: dict[str, Any], out: list[Problem]) -> None:
        present = [n in obj for n in names]
        if any(present) and not all(present):
            c.problem(out, None, " and ".join(names) + " must be given together")

    return rule


def exclusive(a: str, b: str) -> Constraint:
    """The two properties must not both be present."""

    def rule(obj: dict[str, Any], out: list[Problem]) -> None:
        if a in obj and b in obj:
            c.problem(out, b, f"must not be present together with {a}")

    return rule


def requires(dependent: str, needed: str) -> Constraint:
    """``dependent`` may only appear when ``needed`` does."""

    def rule(obj: dict[str, Any], out: list[Problem]) -> None:
        if dependent in obj and needed not in obj:
            c.problem(out, dependent, f"requires {needed}")

    return rule
