"""The hub validator against stix2 and stix2-validator on a generated corpus.

Soundness: whatever the hub accepts, stix2.parse(allow_custom=True) and stix2-validator both
accept. Completeness: whatever both accept, the hub accepts too, except for the deliberate
strictness listed below with its reason.
"""

from __future__ import annotations

import logging
import os
import random
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import stix2
from stix2validator import ValidationOptions, validate_instance

from hub.validate import Problem, check_object
from hub.validate.objects import SPECS
from tests.hub.validate.stix_corpus import corpus, valid_objects

# The reference validator is slow (milliseconds per object); a fixed sample keeps this file
# well under a minute. MAMORI_FULL_CORPUS=1 runs all ~11,000 cases.
SAMPLE = 2500
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
_OPTIONS = ValidationOptions(version="2.1")


@dataclass(frozen=True)
class Verdict:
    name: str
    obj: Any
    hub: list[Problem]
    stix2: str | None  # the exception stix2.parse raised, None if it parsed
    validator: str | None  # stix2-validator's errors, None if valid

    @property
    def references_accept(self) -> bool:
        return self.stix2 is None and self.validator is None

    @property
    def references_reject(self) -> bool:
        return self.stix2 is not None and self.validator is not None


def _stix2(obj: Any) -> str | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            stix2.parse(obj, allow_custom=True)
    except Exception as exc:  # noqa: BLE001 - any failure is a rejection
        return f"{type(exc).__name__}: {exc}"
    return None


def _validator(obj: Any) -> str | None:
    try:
        result = validate_instance(obj, _OPTIONS)
    except Exception as exc:  # noqa: BLE001 - it raises on some malformed input
        return f"{type(exc).__name__}: {exc}"
    return None if result.is_valid else "; ".join(str(e) for e in result.errors)


def _cases() -> list[tuple[str, Any]]:
    cases = corpus()
    if os.environ.get("MAMORI_FULL_CORPUS") == "1":
        return cases
    valid_names = {name for name, _ in valid_objects()}
    keep = [c for c in cases if c[0] in valid_names]
    rest = [c for c in cases if c[0] not in valid_names]
    return keep + random.Random(7).sample(rest, min(SAMPLE, len(rest)))


@pytest.fixture(scope="module")
def verdicts() -> list[Verdict]:
    logging.disable(logging.INFO)  # stix2-validator logs every object at INFO
    try:
        return [Verdict(n, o, check_object(o), _stix2(o), _validator(o)) for n, o in _cases()]
    finally:
        logging.disable(logging.NOTSET)


# Cases where both references accept and the hub refuses on purpose.
DELIBERATE: list[tuple[Callable[[Verdict], bool], str]] = [
    (
        lambda v: "spec_version='2.0'" in v.name,
        "the hub takes STIX 2.1 only; both references also parse 2.0 objects",
    ),
    (lambda v: "confidence=50.0" in v.name, "integer properties must be JSON integers, not 50.0"),
    (
        lambda v: (
            v.name.startswith("marking-definition/")
            and any(m in v.name for m in ("custom#", "labels=[]", "definition_type=foo"))
        ),
        "marking definitions get the same custom-property rules as every other object (no null, "
        "no empty list, well-formed names); the validator's marking schema skips properties.json, "
        "and a definition_type without a definition is meaningless",
    ),
    (lambda v: "fe80::1%eth0" in v.name, "IPv6 zone identifiers are host-local and refused"),
    (
        lambda v: v.name.startswith(("custom/x-sdo", "custom/x-sco")),
        "custom object types are held to the rules of known ones (id prefix matches type, "
        "6 fractional digits at most, created_by_ref is an identity, markings are "
        "marking-definitions); stix2 passes custom objects through unchecked",
    ),
]


def _deliberate(v: Verdict) -> str | None:
    return next((reason for test, reason in DELIBERATE if test(v)), None)


def test_corpus_has_every_type_and_both_kinds(verdicts: list[Verdict]) -> None:
    types = {v.obj.get("type") for v in verdicts if isinstance(v.obj, dict)}
    assert set(SPECS) <= types
    assert sum(v.references_accept for v in verdicts) > 200
    assert sum(v.references_reject for v in verdicts) > 500


def test_valid_shapes_pass_everywhere(verdicts: list[Verdict]) -> None:
    names = {name for name, _ in valid_objects()}
    bad = [
        (v.name, v.hub, v.stix2, v.validator)
        for v in verdicts
        if v.name in names and (v.hub or not v.references_accept)
    ]
    assert bad == []


def test_what_the_hub_accepts_both_references_accept(verdicts: list[Verdict]) -> None:
    unsound = [
        (v.name, v.stix2, v.validator) for v in verdicts if not v.hub and not v.references_accept
    ]
    assert unsound == []


def test_what_both_references_reject_the_hub_rejects(verdicts: list[Verdict]) -> None:
    missed = [(v.name, v.stix2, v.validator) for v in verdicts if v.references_reject and not v.hub]
    assert missed == []


def test_over_strictness_is_only_the_deliberate_kind(verdicts: list[Verdict]) -> None:
    strict = [v for v in verdicts if v.hub and v.references_accept]
    undocumented = [(v.name, v.hub) for v in strict if _deliberate(v) is None]
    assert undocumented == []
