"""Every object of the OASIS STIX 2.1 example bundles is valid, and the hub agrees."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hub.validate import check_envelope, check_object
from tests.paths import OASIS

FILES = sorted(OASIS.glob("*.json"))


def _objects(path: Path) -> list[dict]:
    data = json.loads(path.read_text(encoding="utf-8"))
    # schemas-interop-objectmarking-test.json is a single marking definition, not a bundle
    return data["objects"] if data.get("type") == "bundle" else [data]


def test_the_examples_are_there() -> None:
    assert len(FILES) >= 17
    assert sum(len(_objects(f)) for f in FILES) > 300


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_example_object_is_accepted(path: Path) -> None:
    rejected = {o.get("id"): check_object(o) for o in _objects(path) if check_object(o)}
    assert rejected == {}


@pytest.mark.parametrize(
    "path", [f for f in FILES if "objectmarking" not in f.name], ids=lambda p: p.name
)
def test_every_example_bundle_has_a_valid_envelope(path: Path) -> None:
    assert check_envelope(json.loads(path.read_text(encoding="utf-8"))) == []
