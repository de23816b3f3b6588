"""Every public free-text redactor on 1 MB of adversarial input.

No timing is asserted: a quadratic expression (the e-mail expression of old took hours on
1 MB of word characters) keeps this suite from finishing, which is the bound. The figures
are measured by ``python -m bench.redact``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from bench.redact import UNITS, adversarial, redactors
from hub.sanitize import Policy, sanitize
from hub.sanitize.values import USER_PATH_RE, url_host
from tests.hub.sanitize_corpus import HUB, SECRET, SECTOR, T, default_planted, oid

MB = 1_000_000
REDACTORS: dict[str, Callable[[str], Any]] = redactors()
# The analyser-backed Japanese run is measured on its own in bench.japanese.
ASCII_UNITS = {k: v for k, v in UNITS.items() if v.isascii()}


@pytest.mark.parametrize("unit", sorted(ASCII_UNITS))
def test_text_redactor_finishes_on_a_megabyte(unit: str) -> None:
    text = adversarial(ASCII_UNITS[unit], MB)
    hits = REDACTORS["text.find"](text)
    assert all(0 <= h.start < h.end <= MB for h in hits)


@pytest.mark.parametrize("unit", sorted(UNITS))
def test_learning_and_people_finish_on_a_megabyte(unit: str) -> None:
    text = adversarial(UNITS[unit], MB)
    REDACTORS["vocabulary.learn"](text)
    REDACTORS["people.cue_names"](text)
    for h in REDACTORS["people.find"](text):
        assert 0 <= h.start < h.end <= MB


def test_the_japanese_run_finishes_through_the_redactor() -> None:
    text = adversarial(UNITS["kanji"], MB // 4)
    REDACTORS["text.find"](text)


def test_values_helpers_finish_on_a_megabyte() -> None:
    for unit in ("a", "/", "\\", "/users/", ":", "a:"):
        text = adversarial(unit, MB)
        list(USER_PATH_RE.finditer(text))
        url_host("http://" + text)


def test_sanitize_finishes_on_a_megabyte_description_and_still_redacts() -> None:
    p = default_planted()
    description = (
        adversarial("a.", MB // 4)
        + " "
        + adversarial("a-", MB // 4)
        + " "
        + f"mail soc@{p.email_domain} "
        + adversarial("1.", MB // 4)
    )
    objs = [
        {
            "type": "indicator",
            "spec_version": "2.1",
            "id": oid("indicator", 1),
            "created": T,
            "modified": T,
            "valid_from": T,
            "pattern_type": "stix",
            "pattern": "[ipv4-addr:value = '45.77.12.9']",
            "description": description,
        }
    ]
    result = sanitize(objs, p.profile(), Policy(), secret=SECRET, hub_identity=HUB, sector=SECTOR)
    blob = json.dumps(result.objects)
    assert p.email_domain not in blob and "45.77.12.9" in blob
