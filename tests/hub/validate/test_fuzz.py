"""Random damage to valid objects: whatever the hub still accepts, both references accept."""

from __future__ import annotations

import copy
import logging
import warnings
from typing import Any

import pytest
import stix2
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from stix2validator import ValidationOptions, validate_instance

from hub.validate.objects import check_object_unguarded
from tests.hub.validate.stix_corpus import SHA256, T0, T1, uid, valid_objects

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
BASES = valid_objects()
_OPTIONS = ValidationOptions(version="2.1")

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-2, 1_000_000_001),
    st.floats(allow_nan=False),
    st.sampled_from(
        [
            "",
            "a",
            "2.1",
            "2.0",
            T0,
            T1,
            "2016-04-06T20:03:48Z",
            "2016-02-30T00:00:00Z",
            SHA256,
            "stix",
            "indicator",
            "https://example.com/",
            "not a url",
            "198.51.100.1",
            "::1",
            "en",
            "xx",
            "application/zip",
            "UTF-8",
            "[ipv4-addr:value = '1.2.3.4']",
            "[bad",
            "aGVsbG8=",
            "00ff",
            "0g",
            "HKLM\\x",
            "cpe:2.3:a:v:p:1:*:*:*:*:*:*:*",
            "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82",
        ]
    ),
    st.builds(
        uid,
        st.sampled_from(
            [
                "identity",
                "file",
                "indicator",
                "relationship",
                "x-acme",
                "software",
                "artifact",
                "email-addr",
            ]
        ),
    ),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(
            st.sampled_from(["a", "name", "SHA-256", "x_y", "extension_type", "value"]),
            inner,
            max_size=3,
        ),
    ),
    max_leaves=6,
)


@st.composite
def damaged_objects(draw: st.DrawFn) -> dict[str, Any]:
    _, base = draw(st.sampled_from(BASES))
    obj = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 3))):
        action = draw(st.sampled_from(["set", "drop", "add", "nested"]))
        keys = sorted(obj)
        if action == "drop" and keys:
            obj.pop(draw(st.sampled_from(keys)))
        elif action == "set" and keys:
            obj[draw(st.sampled_from(keys))] = draw(values)
        elif action == "add":
            obj[
                draw(
                    st.sampled_from(
                        [
                            "x_acme_v",
                            "name",
                            "labels",
                            "extensions",
                            "lang",
                            "confidence",
                            "granular_markings",
                            "hashes",
                            "object_refs",
                            "is_active",
                            "end",
                            "body",
                        ]
                    )
                )
            ] = draw(values)
        else:
            nested = [k for k in keys if isinstance(obj[k], dict | list) and obj[k]]
            if nested:
                k = draw(st.sampled_from(nested))
                if isinstance(obj[k], list):
                    obj[k][draw(st.integers(0, len(obj[k]) - 1))] = draw(values)
                else:
                    obj[k][draw(st.sampled_from(sorted(obj[k])))] = draw(values)
    return obj


def references_accept(obj: dict[str, Any]) -> bool:
    logging.disable(logging.INFO)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            stix2.parse(obj, allow_custom=True)
        return validate_instance(obj, _OPTIONS).is_valid
    except Exception:  # noqa: BLE001 - any failure is a rejection
        return False
    finally:
        logging.disable(logging.NOTSET)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(damaged_objects())
def test_hub_never_accepts_what_a_reference_refuses(obj: dict[str, Any]) -> None:
    # unguarded: a checker raising on odd input is a bug, not a rejection
    if not check_object_unguarded(obj):
        assert references_accept(obj), obj
