from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hub.taxii.media import STIX_MEDIA, TAXII_MEDIA, accepts_taxii, content_type_ok

PROPS = settings(max_examples=300, deadline=None)


def test_constants() -> None:
    assert TAXII_MEDIA == "application/taxii+json;version=2.1"
    assert STIX_MEDIA == "application/stix+json;version=2.1"


@pytest.mark.parametrize(
    ("accept", "ok"),
    [
        # Absent or empty: anything is acceptable (RFC 9110 §12.5.1).
        (None, True),
        ("", True),
        ("   ", True),
        # The TAXII media type, with or without the version parameter.
        (TAXII_MEDIA, True),
        ("application/taxii+json", True),
        ("application/taxii+json; version=2.1", True),
        ("application/taxii+json ;version=2.1", True),
        ('application/taxii+json;version="2.1"', True),
        ("Application/TAXII+JSON;Version=2.1", True),
        ("application/taxii+json;charset=utf-8", True),
        ("application/taxii+json;version=2.1;charset=utf-8", True),
        ("application/taxii+json;;version=2.1", True),
        # Other versions are not TAXII 2.1.
        ("application/taxii+json;version=2.0", False),
        ("application/taxii+json;version=2", False),
        ("application/taxii+json;version=2.10", False),
        ("application/taxii+json;version=2.0, application/json", False),
        ("application/taxii+json;version=2.0, */*", True),
        # Wildcards.
        ("*/*", True),
        ("application/*", True),
        ("*/*;q=0.1", True),
        ("text/*", False),
        ("*/json", False),
        # q-values: q=0 means not acceptable; the most specific matching range decides.
        ("*/*;q=0", False),
        ("application/taxii+json;q=0", False),
        ("application/taxii+json;version=2.1;q=0", False),
        ("application/taxii+json;q=0.0", False),
        ("application/taxii+json;q=0.000", False),
        ("application/taxii+json;q=0.001", True),
        ("application/taxii+json;q=1", True),
        ("application/taxii+json;q=1.000", True),
        ("text/html, application/taxii+json;q=0.5", True),
        ("text/html;q=0.9, application/taxii+json;version=2.1;q=0.5", True),
        ("application/taxii+json;q=0, */*", False),
        ("*/*;q=0, application/taxii+json", True),
        ("application/*;q=0, application/taxii+json;q=0.2", True),
        ("application/taxii+json;q=0, application/taxii+json;version=2.1", True),
        ("application/taxii+json;version=2.1;q=0, application/taxii+json", False),
        ("application/*;q=0", False),
        ("application/*;q=0, */*", False),
        # Accept-extensions after q are ignored.
        ("application/taxii+json;q=0.5;foo=bar", True),
        # Not TAXII.
        ("application/json", False),
        ("application/stix+json;version=2.1", False),
        ("text/html", False),
        ("application/taxii+xml", False),
        ("application/taxii", False),
        ("text/html,application/xhtml+xml,application/xml;q=0.9", False),
        # Lists with blanks and whitespace.
        ("text/html , , application/taxii+json", True),
        (",application/taxii+json,", True),
        ("\tapplication/taxii+json\t", True),
        # Malformed elements are skipped; if nothing valid matches, not acceptable.
        ("garbage", False),
        ("application", False),
        ("application/", False),
        ("/taxii+json", False),
        ("application/taxii+json;q=2", False),
        ("application/taxii+json;q=1.5", False),
        ("application/taxii+json;q=0.5000", False),
        ("application/taxii+json;q=abc", False),
        ("application/taxii+json;q=", False),
        ("application/taxii+json;version", False),
        ("application/taxii+json;version=2.1 foo", False),
        ('application/taxii+json;version="2.1', False),
        ("garbage, application/taxii+json", True),
        ("application/taxii+json;q=abc, */*;q=0.1", True),
        # Commas and semicolons inside quoted strings do not split.
        ('application/taxii+json;foo="a,b;c", text/html', True),
        ('text/html;foo="a,application/taxii+json"', False),
        ('application/taxii+json;version="2\\.1"', True),
    ],
)
def test_accept_table(accept: str | None, ok: bool) -> None:
    assert accepts_taxii(accept) is ok


def test_huge_accept_header_is_refused() -> None:
    assert accepts_taxii("application/taxii+json, " + "a/b, " * 5000) is False


@PROPS
@given(st.text(max_size=200))
def test_accept_never_raises(header: str) -> None:
    assert accepts_taxii(header) in (True, False)


media_ranges = st.sampled_from(
    [
        "text/html",
        "application/json",
        "application/xml",
        "application/taxii+json;version=2.0",
        "image/*",
    ]
)


@PROPS
@given(st.lists(media_ranges, max_size=5), st.lists(media_ranges, max_size=5))
def test_adding_a_taxii_range_makes_any_list_acceptable(
    before: list[str], after: list[str]
) -> None:
    if before or after:  # an empty list is an absent header, which accepts anything
        assert accepts_taxii(", ".join(before + after)) is False
    assert accepts_taxii(", ".join([*before, "application/taxii+json", *after])) is True
    assert accepts_taxii(", ".join([*before, "application/taxii+json;q=0", *after])) is False


@pytest.mark.parametrize(
    ("content_type", "allow_stix", "ok"),
    [
        (TAXII_MEDIA, False, True),
        ("application/taxii+json", False, True),
        ("application/taxii+json; version=2.1", False, True),
        ('APPLICATION/TAXII+JSON; VERSION="2.1"', False, True),
        ("application/taxii+json;version=2.1;charset=utf-8", False, True),
        ("application/taxii+json;charset=UTF-8", False, True),
        ("application/taxii+json;version=2.0", False, False),
        ("application/taxii+json;charset=iso-8859-1", False, False),
        ("application/taxii+json;q=0.5", False, False),
        ("application/json", False, False),
        ("application/json", True, False),
        ("text/plain", False, False),
        ("application/*", False, False),
        ("*/*", False, False),
        ("", False, False),
        (None, False, False),
        ("application/taxii+json, application/json", False, False),
        # STIX bundles only where the caller allows them.
        (STIX_MEDIA, False, False),
        (STIX_MEDIA, True, True),
        ("application/stix+json", True, True),
        ("application/stix+json;version=2.0", True, False),
        ("application/stix+json;version=2.1", True, True),
        (TAXII_MEDIA, True, True),
    ],
)
def test_content_type_table(content_type: str | None, allow_stix: bool, ok: bool) -> None:
    assert content_type_ok(content_type, allow_stix=allow_stix) is ok


@PROPS
@given(st.text(max_size=120), st.booleans())
def test_content_type_never_raises(header: str, allow_stix: bool) -> None:
    assert content_type_ok(header, allow_stix=allow_stix) in (True, False)
