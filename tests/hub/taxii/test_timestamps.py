from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hub.taxii.timestamps import (
    TimestampError,
    format_micros,
    format_taxii,
    from_micros,
    parse_micros,
    parse_timestamp,
    to_micros,
)

FAST = settings(max_examples=300, deadline=None)

aware = st.datetimes(
    min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59, 59, 999999)
).map(lambda d: d.replace(tzinfo=UTC))
micros = st.integers(
    min_value=to_micros(datetime(1, 1, 1, tzinfo=UTC)),
    max_value=to_micros(datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)),
)


def test_format_has_exactly_microseconds_and_z() -> None:
    moment = datetime(2026, 11, 26, 11, 28, 36, 123456, tzinfo=UTC)
    assert format_taxii(moment) == "2026-11-26T11:28:36.123456Z"
    assert format_taxii(moment.replace(microsecond=0)) == "2026-11-26T11:28:36.000000Z"


def test_format_pads_small_years_and_converts_offsets() -> None:
    assert format_taxii(datetime(7, 1, 2, 3, 4, 5, 6, tzinfo=UTC)) == "0007-01-02T03:04:05.000006Z"
    tokyo = timezone(timedelta(hours=9))
    assert format_taxii(datetime(2026, 1, 1, 9, 0, tzinfo=tokyo)) == "2026-01-01T00:00:00.000000Z"


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(TimestampError, match="naive"):
        format_taxii(datetime(2026, 1, 1))
    with pytest.raises(TimestampError, match="naive"):
        to_micros(datetime(2026, 1, 1))


@pytest.mark.parametrize(
    ("text", "expected_micro"),
    [
        ("2016-01-01T01:01:01Z", 0),
        ("2016-01-01T01:01:01.1Z", 100000),
        ("2016-01-01T01:01:01.12Z", 120000),
        ("2016-01-01T01:01:01.123Z", 123000),
        ("2016-01-01T01:01:01.123456Z", 123456),
        ("2016-01-01T01:01:01.1234567Z", 123456),
        ("2016-01-01T01:01:01.123456789Z", 123456),
        ("2016-01-01T01:01:01.999999999Z", 999999),
        ("2016-01-01t01:01:01.5z", 500000),
    ],
)
def test_parse_accepts_0_to_9_fraction_digits_and_floors(text: str, expected_micro: int) -> None:
    parsed = parse_timestamp(text)
    assert parsed.tzinfo is UTC
    assert parsed.replace(microsecond=0) == datetime(2016, 1, 1, 1, 1, 1, tzinfo=UTC)
    assert parsed.microsecond == expected_micro


@pytest.mark.parametrize(
    "text",
    [
        "",
        "2016-01-01",
        "2016-01-01T01:01:01",  # no zone
        "2016-01-01T01:01:01+00:00",  # TAXII requires Z
        "2016-01-01T01:01:01.123+09:00",
        "2016-01-01 01:01:01Z",
        "2016-01-01T01:01:01.Z",
        "2016-01-01T01:01:01.1234567890Z",  # 10 digits
        "2016-13-01T01:01:01Z",
        "2016-02-30T01:01:01Z",
        "2016-01-01T24:00:00Z",
        "2016-12-31T23:59:60Z",  # leap second: not representable
        "0000-01-01T00:00:00Z",
        "16-01-01T01:01:01Z",
        " 2016-01-01T01:01:01Z",
        "2016-01-01T01:01:01Z ",
        "２０１６-01-01T01:01:01Z",  # non-ASCII digits
        "2016-01-01T01:01:01ZZ",
    ],
)
def test_parse_rejects_with_a_value_error_subclass(text: str) -> None:
    with pytest.raises(TimestampError) as info:
        parse_timestamp(text)
    assert isinstance(info.value, ValueError)
    assert "timestamp" in str(info.value)


def test_parse_rejects_non_strings() -> None:
    with pytest.raises(TimestampError, match="string"):
        parse_timestamp(12345)  # type: ignore[arg-type]


@FAST
@given(aware)
def test_format_parse_round_trip(moment: datetime) -> None:
    assert parse_timestamp(format_taxii(moment)) == moment


@FAST
@given(micros)
def test_micros_round_trip(value: int) -> None:
    assert to_micros(from_micros(value)) == value
    assert parse_micros(format_micros(value)) == value


@FAST
@given(aware, st.integers(min_value=0, max_value=999))
def test_sub_microsecond_digits_floor(moment: datetime, nanos: int) -> None:
    text = format_taxii(moment)[:-1] + f"{nanos:03d}Z"
    assert parse_timestamp(text) == moment


@FAST
@given(micros, st.integers(min_value=0, max_value=999))
def test_added_after_with_nanoseconds_is_strict_at_microsecond_resolution(
    date_added: int, nanos: int
) -> None:
    # A record added at microsecond D is "after" bound B (given with nanoseconds) exactly
    # when D > B in real time. D == floor(B) is never after B; D == floor(B) + 1 always is.
    bound_text = format_micros(date_added)[:-1] + f"{nanos:03d}Z"
    bound = parse_micros(bound_text)
    assert bound == date_added
    assert not date_added > bound  # added at .123456, bound .123456nnn: not after
    assert date_added + 1 > bound  # added at .123457: after
    assert not date_added - 1 > bound


def test_the_documented_example() -> None:
    bound = parse_micros("2026-11-26T11:28:36.123456789Z")
    at_123456 = parse_micros("2026-11-26T11:28:36.123456Z")
    at_123457 = parse_micros("2026-11-26T11:28:36.123457Z")
    assert not at_123456 > bound
    assert at_123457 > bound


def test_epoch_and_negative_micros() -> None:
    assert to_micros(datetime(1970, 1, 1, tzinfo=UTC)) == 0
    assert format_micros(-1) == "1969-12-31T23:59:59.999999Z"
    assert from_micros(1) == datetime(1970, 1, 1, 0, 0, 0, 1, tzinfo=UTC)


def test_from_micros_out_of_range() -> None:
    with pytest.raises(TimestampError, match="out of range"):
        from_micros(2**62)
