"""TAXII 2.1 timestamps (§2, type `timestamp`) and the integer microseconds the store keys on.

A TAXII timestamp is RFC 3339, UTC, `Z`, with exactly microsecond precision on output.
On input we accept 0-9 fractional digits, because clients (and STIX `modified` values used
in `match[version]`) legitimately send milliseconds, and some send nanoseconds.

Sub-microsecond digits are *truncated* (floored), never rounded:

* `added_after` is a strict lower bound on `date_added`, which has microsecond precision.
  `added_after=...36.123456789Z` means "strictly after .123456789"; a record added at
  .123456 is before that instant and one added at .123457 is after it. Flooring the bound
  to .123456 and keeping the comparison strict (`date_added > bound`) gives exactly that
  answer for every microsecond value, whereas rounding up to .123457 would drop .123457.
* Object versions are stored as microseconds computed by this same function, so an exact
  `match[version]` timestamp with nanoseconds compares equal to the stored version of the
  object whose `modified` has those nanoseconds (both are floored the same way).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

__all__ = [
    "EPOCH",
    "TimestampError",
    "format_micros",
    "format_taxii",
    "from_micros",
    "parse_micros",
    "parse_timestamp",
    "to_micros",
]

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_MICRO = timedelta(microseconds=1)

# RFC 3339 date-time restricted to UTC "Z" (TAXII 2.1 §2 requires UTC and the Z designator).
# RFC 3339 §5.6 allows the "T" and "Z" to be lower case; accepting them costs nothing.
_TIMESTAMP = re.compile(
    r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})"
    r"[Tt](?P<hour>\d{2}):(?P<minute>\d{2}):(?P<second>\d{2})"
    r"(?:\.(?P<fraction>\d{1,9}))?"
    r"[Zz]",
    re.ASCII,
)


class TimestampError(ValueError):
    """A string that is not a TAXII/STIX UTC timestamp."""


def parse_timestamp(value: str) -> datetime:
    """Parse an RFC 3339 UTC timestamp to an aware datetime, flooring below a microsecond."""
    if not isinstance(value, str):
        raise TimestampError(f"timestamp must be a string, not {type(value).__name__}")
    match = _TIMESTAMP.fullmatch(value)
    if match is None:
        shown = value if len(value) <= 64 else value[:61] + "..."
        raise TimestampError(
            f"invalid timestamp {shown!r}: expected UTC RFC 3339 "
            "'YYYY-MM-DDTHH:MM:SS[.fraction]Z' with at most 9 fractional digits"
        )
    fraction = match["fraction"] or ""
    microsecond = int((fraction + "000000")[:6])
    try:
        return datetime(
            int(match["year"]),
            int(match["month"]),
            int(match["day"]),
            int(match["hour"]),
            int(match["minute"]),
            int(match["second"]),
            microsecond,
            tzinfo=UTC,
        )
    except ValueError as exc:
        # Out-of-range fields, including leap second 60, which datetime cannot represent.
        raise TimestampError(f"invalid timestamp {value!r}: {exc}") from None


def format_taxii(moment: datetime) -> str:
    """Render an aware datetime as a TAXII timestamp: UTC, microseconds, `Z`."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise TimestampError("refusing to format a naive datetime as a TAXII timestamp")
    utc = moment.astimezone(UTC)
    # strftime's %Y does not zero-pad years below 1000 on every platform.
    return (
        f"{utc.year:04d}-{utc.month:02d}-{utc.day:02d}T"
        f"{utc.hour:02d}:{utc.minute:02d}:{utc.second:02d}.{utc.microsecond:06d}Z"
    )


def to_micros(moment: datetime) -> int:
    """Exact integer microseconds since the Unix epoch of an aware datetime."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise TimestampError("refusing to convert a naive datetime to epoch microseconds")
    return (moment - EPOCH) // _ONE_MICRO


def from_micros(micros: int) -> datetime:
    """The aware UTC datetime for integer microseconds since the Unix epoch."""
    try:
        return EPOCH + timedelta(microseconds=micros)
    except OverflowError:
        raise TimestampError(f"{micros} microseconds since the epoch is out of range") from None


def parse_micros(value: str) -> int:
    """Parse a timestamp straight to epoch microseconds (floored)."""
    return to_micros(parse_timestamp(value))


def format_micros(micros: int) -> str:
    """Render epoch microseconds as a TAXII timestamp."""
    return format_taxii(from_micros(micros))
