"""Validation of yara and sigma indicators: a per-object problem for what does not parse or
breaks a bound, never a crash; every parser finishes on adversarial input."""

from __future__ import annotations

from typing import Any

import pytest

from hub.sanitize.detection import DetectionError, rewrite_sigma, rewrite_yara
from hub.sanitize.detection.common import MAX_SOURCE_BYTES
from hub.validate import check_object
from hub.validate.detection import check_detection
from tests.hub.detection_fixtures import SIGMA_MEMBER_RULE, YARA_MEMBER_RULE

SIGMA_OK = """\
title: Suspicious PowerShell
logsource: {product: windows, category: process_creation}
detection:
  sel:
    CommandLine|contains: '-enc'
  condition: sel
"""


def _indicator(pattern_type: str, pattern: str) -> dict[str, Any]:
    return {
        "type": "indicator",
        "spec_version": "2.1",
        "id": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
        "created": "2026-11-02T00:00:00.000Z",
        "modified": "2026-11-02T00:00:00.000Z",
        "pattern": pattern,
        "pattern_type": pattern_type,
        "valid_from": "2026-11-02T00:00:00Z",
    }


def test_members_rules_are_valid() -> None:
    assert check_object(_indicator("yara", YARA_MEMBER_RULE)) == []
    assert check_object(_indicator("sigma", SIGMA_MEMBER_RULE)) == []
    assert check_object(_indicator("sigma", SIGMA_OK)) == []


@pytest.mark.parametrize(
    "pattern, expected",
    [
        ("rule a { condition: }", "invalid YARA rule: "),
        ('rule a { strings: $a = "x" condition: $b }', "invalid YARA rule: "),
        ('rule a { meta: x = "unterminated\n condition: true }', "line break inside a text string"),
        ("rule a { condition: true } /* never closed", "unterminated comment on line 1"),
        ('include "other.yar"\nrule a { condition: true }', "include statements cannot be shared"),
        ("", "the source holds no rule"),
        ("rule a { condition: " + "(" * 500 + "true" + ")" * 500 + " }", "nested deeper than 32"),
        ("rule a { condition: " + "1" * 100 + " }", "a number longer than 40 digits"),
        ("rule a { condition: " + " and ".join(["true"] * 21_000) + " }", "more than 40000 terms"),
    ],
)
def test_bad_yara_is_a_precise_pattern_problem(pattern: str, expected: str) -> None:
    [problem] = check_object(_indicator("yara", pattern))
    assert problem.property == "pattern"
    assert expected in problem.reason
    assert "\n" not in problem.reason and "Traceback" not in problem.reason


@pytest.mark.parametrize(
    "pattern, expected",
    [
        ("title: [unclosed", "invalid Sigma rule: YAML: "),
        ("a: &a [x]\n" + "".join(f"b{i}: *a\n" for i in range(9)), "more than 8 YAML aliases"),
        ("a: " + "[" * 200 + "]" * 200, "YAML nested deeper than 32 levels"),
        ("title: x\nid: not-a-uuid\n" + SIGMA_OK.split("\n", 1)[1], "invalid Sigma rule: "),
        (SIGMA_OK.replace("condition: sel", "condition: sel and nothing"), "invalid Sigma rule: "),
        (
            SIGMA_OK.replace("condition: sel", "condition: " + "(" * 20 + "sel" + ")" * 20),
            "nests parentheses or `not` deeper than 12",
        ),
        (
            SIGMA_OK.replace("condition: sel", "condition: " + "not " * 900 + "sel"),
            "nests parentheses or `not` deeper than 12",
        ),
        (
            SIGMA_OK.replace("condition: sel", "condition: sel" + " or sel" * 1_000),
            "longer than 4000 characters",
        ),
        ("!!python/object/apply:os.system [echo]", "invalid Sigma rule: YAML: "),
        ("title: x\ntitle: y\n", "duplicate key"),
        ("just a string", "must be a mapping"),
    ],
)
def test_bad_sigma_is_a_precise_pattern_problem(pattern: str, expected: str) -> None:
    [problem] = check_object(_indicator("sigma", pattern))
    assert problem.property == "pattern"
    assert expected in problem.reason
    assert "\n" not in problem.reason


def test_billion_laughs_is_refused_before_anything_expands() -> None:
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    reason = check_detection("sigma", "\n".join(lines))
    assert reason is not None and "aliases" in reason


def test_other_pattern_types_are_not_parsed_here() -> None:
    assert check_object(_indicator("snort", 'alert tcp any any -> any any (msg:"x";)')) == []


@pytest.mark.parametrize("kind", ["yara", "sigma"])
def test_a_source_past_the_size_bound_is_refused_unparsed(kind: str) -> None:
    reason = check_detection(kind, "a" * (MAX_SOURCE_BYTES + 1))
    assert reason is not None and "larger than 256 KiB" in reason
    # counted in bytes: 100,000 three-byte characters are past the bound too
    reason = check_detection(kind, "あ" * 100_000)
    assert reason is not None and "larger than" in reason


# Runs that make backtracking regular expressions blow up, as large as the bound allows
# (1 MB inputs are refused by size before any parser sees them, as tested above). Every case
# must finish (the suite's own run time is the budget) and end in a result, never a crash.
RUNS = {
    "word": "a" * 120_000,
    "dots": "." * 120_000,
    "at": "@" * 120_000,
    "a-": "a-" * 60_000,
    "spaces": " " * 120_000,
    "crlf": "\r\n" * 60_000,
    "digits": "1" * 120_000,
}
YARA_PLACES = [
    'rule a {{ meta: d = "{r}" condition: true }}',
    "rule a {{ strings: $a = {{ AB [{r}] }} condition: $a }}",
    "rule a {{ strings: $a = /{r}/ condition: $a }}",
    "rule a {{ condition: true /*{r}",
    "rule a {{ condition: true /*{r}*/ }}",
    "rule a {{ condition: {r} }}",
    "rule {r} {{ condition: true }}",
]
SIGMA_PLACES = [
    'title: "{r}"\n',
    "title: x\ndetection:\n  sel:\n    a: '{r}'\n  condition: sel\n",
    "{r}",
    "a: [{r}]",
]


@pytest.mark.parametrize("run", sorted(RUNS))
def test_adversarial_yara_finishes(run: str) -> None:
    for place in YARA_PLACES:
        source = place.format(r=RUNS[run])
        reason = check_detection("yara", source)
        if reason is None:
            rewrite_yara(source, lambda t: t, hub_author="hub")


@pytest.mark.parametrize("run", sorted(RUNS))
def test_adversarial_sigma_finishes(run: str) -> None:
    for place in SIGMA_PLACES:
        source = place.format(r=RUNS[run])
        reason = check_detection("sigma", source)
        if reason is None:
            try:
                rewrite_sigma(source, lambda t: t, hub_author="hub")
            except DetectionError:
                pass


def test_crlf_comment_that_plyara_would_backtrack_on_is_fine() -> None:
    # plyara's block-comment rule alone takes 2^n steps on n CRLF line ends; 2,000 of them
    # go through because comments never reach it.
    source = "rule a {\r\n/*" + "\r\n" * 2_000 + "*/ condition: true }"
    assert check_detection("yara", source) is None
    out = rewrite_yara(source, lambda t: t, hub_author="hub")
    assert "/*" not in out.text


def test_the_reused_parser_starts_each_source_afresh() -> None:
    # The per-thread parser is reset between sources: what one left behind (a strings
    # section, a failed parse) changes nothing for the next.
    with_strings = "rule a { strings: $a = { 4D 5A } condition: $a }"
    assert check_detection("yara", with_strings) is None
    assert check_detection("yara", "rule b { condition: true }") is None
    assert check_detection("yara", 'rule c { strings: $a = "x') is not None
    assert check_detection("yara", with_strings) is None
    assert check_detection("yara", 'import "pe"\nrule d { condition: pe.is_pe }') is None
    out = rewrite_yara("rule e { condition: true }", lambda t: t, hub_author="hub")
    assert "import" not in out.text  # the imports of an earlier source are not carried over


@pytest.mark.parametrize("pattern_type", ["YARA", "Yara", "SIGMA"])
def test_pattern_type_in_another_case_is_still_parsed(pattern_type: str) -> None:
    [problem] = check_object(_indicator(pattern_type, "rule a { condition: }"))
    assert problem.property == "pattern" and "invalid" in problem.reason
