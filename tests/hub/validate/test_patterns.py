"""The fast pattern recogniser never accepts what stix2-patterns or stix2-validator refuse."""

from __future__ import annotations

import logging

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from stix2patterns.validator import run_validator
from stix2validator import ValidationOptions
from stix2validator.v21.musts import patterns as validator_pattern_check

from hub.validate.patterns import check_pattern, recognise
from tests.hub.validate.stix_corpus import PATTERNS_INVALID, PATTERNS_VALID

_OPTIONS = ValidationOptions(version="2.1")
PROFILE = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def reference_ok(pattern: str) -> bool:
    """stix2 (run_validator) and stix2-validator's MUST check on an indicator both pass."""
    indicator = {
        "type": "indicator",
        "id": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
        "pattern": pattern,
        "pattern_type": "stix",
        "spec_version": "2.1",
    }
    logging.disable(logging.INFO)
    try:
        return not run_validator(pattern, "2.1") and not list(
            validator_pattern_check(indicator, _OPTIONS)
        )
    except Exception:  # noqa: BLE001 - the parser crashes on some input (e.g. "")
        return False
    finally:
        logging.disable(logging.NOTSET)


HASH_VALUES = {
    "MD5": "79054025255fb1a26e4bc422aef54eb4",
    "'SHA-1'": "2fd4e1c67a2d28fced849ee1bb76e7391b93eb12",
    "'SHA-256'": "ef537f25c895bfa782526529a9b63d97aa631564d5d789c2b765448c8635fb6c",
    "SHA256": "ef537f25c895bfa782526529a9b63d97aa631564d5d789c2b765448c8635fb6c",
    "SSDEEP": "3:AXGBicFlgVNhBGcL6wCrFQEv:AXGHsNhxLsr2C",
}
object_types = st.sampled_from(
    [
        "file",
        "ipv4-addr",
        "domain-name",
        "url",
        "network-traffic",
        "x-acme-thing",
        "x",
        "ab",
        "File",
        "email-message",
        "process",
        "windows-registry-key",
        "a-",
        "-ab",
        "user-account",
    ]
)
components = st.sampled_from(
    [
        "name",
        "value",
        "size",
        "hashes",
        "pid",
        "src_port",
        "nm",
        "x_custom",
        "_ab",
        "Name",
        "extensions",
        "body_multipart",
    ]
)
steps = st.lists(
    st.sampled_from(
        [
            ".name",
            ".value",
            "[0]",
            "[*]",
            "[-1]",
            ".'windows-pebinary-ext'",
            ".sections",
            ".MD5",
            ".'SHA-256'",
            ".SHA-256",
            "[01]",
            ".true",
            ".body_raw_ref",
        ]
    ),
    max_size=3,
)
literals = st.one_of(
    st.sampled_from(
        [
            "'a'",
            "'it\\'s'",
            "'back\\\\slash'",
            "'bad\\x'",
            "1",
            "0",
            "-1",
            "01",
            "+1",
            "1.5",
            ".5",
            "1.",
            "-0.5",
            "true",
            "false",
            "True",
            "h'4d5a'",
            "h'4d5'",
            "b'aGVsbG8='",
            "b'aGVsbG8'",
            "t'2016-01-01T00:00:00Z'",
            "t'2016-02-30T00:00:00Z'",
            "t'2016-01-01T00:00:00.123Z'",
            "''",
            "'%'",
        ]
    ),
    st.sampled_from(list(HASH_VALUES.values())).map(lambda h: f"'{h}'"),
    st.text(alphabet="abc'\\ ", max_size=6).map(lambda s: f"'{s}'"),
)
operators = st.sampled_from(
    [
        "=",
        "!=",
        "<",
        "<=",
        ">",
        ">=",
        "==",
        "<>",
        "LIKE",
        "MATCHES",
        "ISSUBSET",
        "ISSUPERSET",
        "NOT =",
        "NOT LIKE",
        "IN",
        "like",
    ]
)


@st.composite
def comparisons(draw: st.DrawFn) -> str:
    if draw(st.integers(0, 5)) == 0:
        algo = draw(st.sampled_from(list(HASH_VALUES)))
        value = draw(st.sampled_from([*HASH_VALUES.values(), "abc"]))
        return f"file:hashes.{algo} {draw(st.sampled_from(['=', '!=', 'LIKE']))} '{value}'"
    path = f"{draw(object_types)}:{draw(components)}{''.join(draw(steps))}"
    op = draw(operators)
    if op == "IN":
        items = draw(st.lists(literals, max_size=3))
        return f"{path} IN ({', '.join(items)})"
    return f"{path} {op} {draw(literals)}"


@st.composite
def comparison_expressions(draw: st.DrawFn) -> str:
    parts = draw(st.lists(comparisons(), min_size=1, max_size=3))
    joiners = draw(
        st.lists(
            st.sampled_from([" AND ", " OR ", " and ", " "]),
            min_size=len(parts) - 1,
            max_size=len(parts) - 1,
        )
    )
    text = parts[0] + "".join(j + p for j, p in zip(joiners, parts[1:], strict=True))
    return f"({text})" if draw(st.booleans()) and len(parts) > 1 else text


qualifiers = st.sampled_from(
    [
        "",
        "",
        " WITHIN 5 SECONDS",
        " WITHIN 0 SECONDS",
        " WITHIN 1.5 SECONDS",
        " WITHIN -1 SECONDS",
        " REPEATS 2 TIMES",
        " REPEATS 0 TIMES",
        " REPEATS 1.5 TIMES",
        " START t'2016-01-01T00:00:00Z' STOP t'2016-01-02T00:00:00Z'",
        " START '2016' STOP t'2016-01-02T00:00:00Z'",
        " WITHIN 5 SECONDS WITHIN 5 SECONDS",
        " REPEATS 2 TIMES WITHIN 5 SECONDS",
    ]
)


@st.composite
def observations(draw: st.DrawFn) -> str:
    n = draw(st.integers(1, 3))
    obs = [f"[{draw(comparison_expressions())}]{draw(qualifiers)}" for _ in range(n)]
    ops = draw(
        st.lists(
            st.sampled_from([" AND ", " OR ", " FOLLOWEDBY ", " "]), min_size=n - 1, max_size=n - 1
        )
    )
    text = obs[0] + "".join(o + x for o, x in zip(ops, obs[1:], strict=True))
    if draw(st.booleans()) and n > 1:
        text = f"({text}){draw(qualifiers)}"
    return text


@st.composite
def damaged(draw: st.DrawFn) -> str:
    text = draw(observations())
    if not text:
        return text
    i = draw(st.integers(0, len(text) - 1))
    action = draw(st.sampled_from(["drop", "dup", "insert"]))
    if action == "drop":
        return text[:i] + text[i + 1 :]
    if action == "dup":
        return text[:i] + text[i] + text[i:]
    return text[:i] + draw(st.sampled_from(list("[]()'\\:., -=<>*"))) + text[i:]


@PROFILE
@given(observations())
def test_recogniser_accepts_only_valid_patterns(pattern: str) -> None:
    if recognise(pattern):
        assert reference_ok(pattern), pattern


@PROFILE
@given(damaged())
def test_damaged_patterns_are_judged_like_the_references(pattern: str) -> None:
    assert (check_pattern(pattern) is None) == reference_ok(pattern), pattern


@PROFILE
@given(observations())
def test_generated_patterns_are_judged_like_the_references(pattern: str) -> None:
    assert (check_pattern(pattern) is None) == reference_ok(pattern), pattern


@pytest.mark.parametrize("pattern", PATTERNS_VALID)
def test_common_shapes_take_the_fast_path(pattern: str) -> None:
    assert recognise(pattern)
    assert reference_ok(pattern)


@pytest.mark.parametrize("pattern", PATTERNS_INVALID)
def test_suspect_patterns_are_judged_like_the_references(pattern: str) -> None:
    # Some of these look wrong but are valid ("==", "IN ()"); the references decide.
    reason = check_pattern(pattern)
    assert (reason is None) == reference_ok(pattern)
    assert reason is None or reason.startswith("invalid STIX pattern")


def test_most_suspect_patterns_are_invalid() -> None:
    assert sum(check_pattern(p) is not None for p in PATTERNS_INVALID) >= 20
