"""TAXII 2.1 query parameters (§3.4): parsing, validation, and the filter fingerprint.

Decisions, each traceable to TAXII 2.1 §3.4 / §3.4.1:

* Repeated parameters are a 400. The spec says a request "MUST NOT have more than one
  instance" of `added_after` and that each `match[<field>]` "MUST NOT occur more than once";
  `limit` and `next` are "a single" value. Rejecting is clearer than guessing OR vs AND.
* Inside one `match[...]`, comma-separated values are ORed; different fields are ANDed.
  Empty items (`a,,b`, trailing comma) and values with spaces are malformed, hence 400.
* `match[version]`: `first`, `last`, `all` or timestamps; default `last`. The spec says
  `all` "MUST NOT be used with any other version parameter" and that no value may repeat;
  we are lenient there (like medallion): `all` with anything is `all`, repeats collapse.
* Unknown `match[...]` fields, and known ones an endpoint does not take, are a 400 so a
  client never silently gets unfiltered data. Other unknown parameters are ignored.
* `limit` must be a positive decimal integer; above the server maximum it is clamped
  (the spec lets a server return fewer objects than asked for).
"""

from __future__ import annotations

import enum
import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from hub.taxii.timestamps import TimestampError, parse_micros

__all__ = [
    "Endpoint",
    "ObjectQuery",
    "QueryError",
    "VersionSelector",
    "parse_query",
]


class QueryError(ValueError):
    """A malformed or disallowed query parameter; the route answers 400 (§3.4)."""

    def __init__(self, param: str, message: str) -> None:
        super().__init__(f"{param}: {message}")
        self.param = param
        self.message = message


class Endpoint(enum.Enum):
    """The filtered TAXII endpoints; each accepts a different set of parameters."""

    OBJECTS = "objects"  # §5.4 Get Objects
    MANIFEST = "manifest"  # §5.3 Get Object Manifests
    OBJECT = "object"  # §5.6 Get an Object
    VERSIONS = "versions"  # §5.8 Get Object Versions


_MATCH_FIELDS: dict[Endpoint, frozenset[str]] = {
    Endpoint.OBJECTS: frozenset({"id", "type", "version", "spec_version"}),
    Endpoint.MANIFEST: frozenset({"id", "type", "version", "spec_version"}),
    Endpoint.OBJECT: frozenset({"version", "spec_version"}),
    Endpoint.VERSIONS: frozenset({"spec_version"}),
}
_KNOWN_MATCH_FIELDS = frozenset({"id", "type", "version", "spec_version"})
_PLAIN_PARAMS = frozenset({"added_after", "limit", "next"})

# STIX 2.1 §3.1: a type is 3-250 characters of a-z, 0-9 and hyphen.
_STIX_TYPE = re.compile(r"[a-z0-9-]{3,250}", re.ASCII)
_UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
# Anchored although used with fullmatch: a search would retry 250 characters at every offset.
_STIX_ID = re.compile(r"\A[a-z0-9-]{3,250}--" + _UUID, re.ASCII)
_SPEC_VERSION = re.compile(r"[0-9]{1,4}\.[0-9]{1,4}", re.ASCII)
_DIGITS = re.compile(r"[0-9]+", re.ASCII)
_MATCH_KEY = re.compile(r"match\[([^\]]*)\]")
_MAX_NEXT_LENGTH = 1024


@dataclass(frozen=True, slots=True)
class VersionSelector:
    """Which versions of each object `match[version]` asks for; the terms are ORed."""

    all: bool = False
    first: bool = False
    last: bool = False
    timestamps: frozenset[int] = frozenset()

    @classmethod
    def latest(cls) -> VersionSelector:
        """The default when `match[version]` is absent (§3.4.1: "last")."""
        return cls(last=True)

    @classmethod
    def every(cls) -> VersionSelector:
        """All versions, as the versions endpoint (§5.8) lists them."""
        return cls(all=True)

    @classmethod
    def parse(cls, raw: str) -> VersionSelector:
        """Parse a `match[version]` value such as `first,2016-01-01T01:01:01.000Z,last`."""
        first = last = every = False
        stamps: set[int] = set()
        for item in _split_list("match[version]", raw):
            if item == "all":
                every = True
            elif item == "first":
                first = True
            elif item == "last":
                last = True
            else:
                try:
                    stamps.add(parse_micros(item))
                except TimestampError as exc:
                    raise QueryError(
                        "match[version]",
                        f"{item!r} is neither 'first', 'last', 'all' nor a timestamp ({exc})",
                    ) from None
        if every:
            return cls.every()
        return cls(first=first, last=last, timestamps=frozenset(stamps))

    def canonical(self) -> list[str | int]:
        """A stable, order-free rendering used in the query fingerprint."""
        if self.all:
            return ["all"]
        terms: list[str | int] = []
        if self.first:
            terms.append("first")
        if self.last:
            terms.append("last")
        terms.extend(sorted(self.timestamps))
        return terms


@dataclass(frozen=True, slots=True)
class ObjectQuery:
    """A validated TAXII query: the filters plus the paging parameters `limit` and `next`."""

    endpoint: Endpoint
    limit: int
    added_after: int | None = None
    next: str | None = None
    ids: frozenset[str] | None = None
    types: frozenset[str] | None = None
    versions: VersionSelector = field(default_factory=VersionSelector.latest)
    spec_versions: frozenset[str] | None = None

    def fingerprint(self) -> bytes:
        """Digest of the filter part (not `limit`, not `next`) that a cursor is bound to."""
        canonical = {
            "v": 1,
            "endpoint": self.endpoint.value,
            "added_after": self.added_after,
            "ids": None if self.ids is None else sorted(self.ids),
            "types": None if self.types is None else sorted(self.types),
            "versions": self.versions.canonical(),
            "spec_versions": None if self.spec_versions is None else sorted(self.spec_versions),
        }
        encoded = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
        return hashlib.sha256(b"mamori.taxii.query\x00" + encoded.encode("ascii")).digest()


Params = Mapping[str, str | Iterable[str]] | Iterable[tuple[str, str]]


def parse_query(
    params: Params,
    *,
    endpoint: Endpoint,
    default_limit: int,
    max_limit: int,
    object_id: str | None = None,
) -> ObjectQuery:
    """Validate the query string of a filtered endpoint; raise `QueryError` on anything malformed.

    `params` is a multi-dict (`{"match[type]": ["indicator"]}`) or a sequence of pairs, e.g.
    Starlette's `request.query_params.multi_items()` (not `request.query_params` itself: as a
    plain mapping it shows only the last value, hiding repeats). For the per-object endpoints
    (§5.6, §5.8) pass the path's `object_id`; it becomes the query's only id.
    """
    if not 0 < default_limit <= max_limit:
        raise ValueError("need 0 < default_limit <= max_limit")
    per_object = endpoint in (Endpoint.OBJECT, Endpoint.VERSIONS)
    if per_object != (object_id is not None):
        raise ValueError(f"object_id is required for, and only for, the {endpoint.value} endpoint")

    values = _single_values(params)
    allowed = _MATCH_FIELDS[endpoint]
    for key in values:
        if key in _PLAIN_PARAMS:
            continue
        if not key.startswith("match["):
            continue  # unknown non-filter parameters are ignored
        found = _MATCH_KEY.fullmatch(key)
        if found is None:
            raise QueryError(key, "malformed match parameter; expected match[<field>]")
        name = found.group(1)
        if name not in _KNOWN_MATCH_FIELDS:
            raise QueryError(key, f"unsupported match field {name!r}")
        if name not in allowed:
            raise QueryError(key, f"not supported on the {endpoint.value} endpoint")

    added_after = None
    if "added_after" in values:
        try:
            added_after = parse_micros(values["added_after"])
        except TimestampError as exc:
            raise QueryError("added_after", str(exc)) from None

    limit = default_limit
    if "limit" in values:
        limit = _parse_limit(values["limit"], max_limit)

    next_token = None
    if "next" in values:
        next_token = values["next"]
        if not next_token or len(next_token) > _MAX_NEXT_LENGTH:
            raise QueryError("next", "must be a value returned in a previous response")

    ids = _parse_set(values, "match[id]", _STIX_ID, "a STIX id like 'indicator--<uuid>'")
    types = _parse_set(values, "match[type]", _STIX_TYPE, "a STIX type (3-250 of a-z, 0-9, -)")
    spec_versions = _parse_set(values, "match[spec_version]", _SPEC_VERSION, "like '2.1'")

    if "match[version]" in values:
        versions = VersionSelector.parse(values["match[version]"])
    elif endpoint is Endpoint.VERSIONS:
        versions = VersionSelector.every()
    else:
        versions = VersionSelector.latest()

    if object_id is not None:
        # Not validated: an id that cannot exist simply matches nothing, and the route's
        # answer for an unknown object is 404, not 400.
        ids = frozenset({object_id})

    return ObjectQuery(
        endpoint=endpoint,
        limit=limit,
        added_after=added_after,
        next=next_token,
        ids=ids,
        types=types,
        versions=versions,
        spec_versions=spec_versions,
    )


def _single_values(params: Params) -> dict[str, str]:
    """Flatten to one value per relevant key, rejecting repeats of the parameters we use."""
    pairs: list[tuple[str, str]] = []
    if isinstance(params, Mapping):
        for key, value in params.items():
            if isinstance(value, str):
                pairs.append((key, value))
            else:
                pairs.extend((key, item) for item in value)
    else:
        pairs.extend(params)

    values: dict[str, str] = {}
    for key, value in pairs:
        if not (key in _PLAIN_PARAMS or key.startswith("match[")):
            continue
        if key in values:
            raise QueryError(key, "given more than once; TAXII 2.1 §3.4 allows a single instance")
        values[key] = value
    return values


def _parse_limit(raw: str, max_limit: int) -> int:
    if _DIGITS.fullmatch(raw) is None:
        raise QueryError("limit", f"{raw[:32]!r} is not a positive integer")
    # Clamp by length first so a huge digit string never reaches int().
    digits = raw.lstrip("0")
    if len(digits) > len(str(max_limit)):
        return max_limit
    value = int(digits or "0")
    if value <= 0:
        raise QueryError("limit", "must be greater than zero")
    return min(value, max_limit)


def _parse_set(
    values: Mapping[str, str], key: str, pattern: re.Pattern[str], expected: str
) -> frozenset[str] | None:
    if key not in values:
        return None
    items = _split_list(key, values[key])
    for item in items:
        if pattern.fullmatch(item) is None:
            raise QueryError(key, f"{item[:80]!r} is not {expected}")
    return frozenset(items)


def _split_list(key: str, raw: str) -> list[str]:
    """Split a comma list (§3.4: "separated by a comma ... without any spaces")."""
    items = raw.split(",")
    if any(item == "" for item in items):
        raise QueryError(key, "empty value in comma-separated list")
    return items
