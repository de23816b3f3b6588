"""TAXII 2.1 content negotiation (§1.6.8, §3.1): Accept and Content-Type checks.

The route layer turns `False` into 406 (Accept) or 415 (Content-Type). Decisions:

* Accept follows RFC 9110 §12.5.1: a list of media ranges with parameters and a `q`
  weight; the most specific range that matches TAXII 2.1 decides, and `q=0` means "not
  acceptable". `application/taxii+json` with no `version` means "the latest TAXII the
  server supports" (§1.6.8.2), i.e. 2.1; any other `version` does not match. Parameters
  other than `version` and `q` (e.g. `charset`) are tolerated. Unparseable elements are
  skipped, not fatal. No header, or an empty one, accepts anything (RFC 9110 §12.5.1).
* Content-Type for POST bodies: `application/taxii+json` with `version=2.1` or no version.
  `application/stix+json` (a bare STIX bundle, what TAXII 2.0-era clients send) is
  accepted only where the caller allows it: the REST submission endpoint, not TAXII
  `POST .../objects/`, whose body is a TAXII envelope (§5.5). A `charset` other than
  UTF-8 is refused because JSON is UTF-8 (RFC 8259 §8.1).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["STIX_MEDIA", "TAXII_MEDIA", "accepts_taxii", "content_type_ok"]

TAXII_MEDIA = "application/taxii+json;version=2.1"
STIX_MEDIA = "application/stix+json;version=2.1"

_TAXII_VERSION = "2.1"
_MAX_HEADER = 8192
_TCHAR = frozenset("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_OWS = " \t"


class _Malformed(ValueError):
    """An Accept element or Content-Type value that does not parse."""


@dataclass(frozen=True, slots=True)
class _MediaRange:
    type: str
    subtype: str
    params: dict[str, str]
    q: float


def accepts_taxii(accept_header: str | None) -> bool:
    """Whether an Accept header admits `application/taxii+json;version=2.1`."""
    if accept_header is None or accept_header.strip(_OWS) == "":
        return True
    if len(accept_header) > _MAX_HEADER:
        return False
    best_rank = -1
    best_q = 0.0
    for element in _split_outside_quotes(accept_header, ","):
        if element.strip(_OWS) == "":
            continue  # RFC 9110 §5.6.1: empty list elements are ignored
        try:
            media = _parse_media(element, allow_wildcards=True, allow_q=True)
        except _Malformed:
            continue
        rank = _taxii_match_rank(media)
        if rank < 0:
            continue
        if rank > best_rank:
            best_rank, best_q = rank, media.q
        elif rank == best_rank:
            best_q = max(best_q, media.q)
    return best_rank >= 0 and best_q > 0


def content_type_ok(header: str | None, *, allow_stix: bool) -> bool:
    """Whether a POST body's Content-Type is TAXII 2.1 JSON (or STIX 2.1, where allowed)."""
    if header is None or len(header) > _MAX_HEADER:
        return False
    try:
        media = _parse_media(header, allow_wildcards=False, allow_q=False)
    except _Malformed:
        return False
    if media.type != "application":
        return False
    if media.subtype == "taxii+json":
        wanted = _TAXII_VERSION
    elif media.subtype == "stix+json" and allow_stix:
        wanted = "2.1"
    else:
        return False
    if media.params.get("version", wanted) != wanted:
        return False
    return media.params.get("charset", "utf-8").lower() in ("utf-8", "utf8")


def _taxii_match_rank(media: _MediaRange) -> int:
    """How specifically a range matches TAXII 2.1 (higher is more specific); -1 if not."""
    if media.type == "*":
        return 0 if media.subtype == "*" else -1
    if media.type != "application":
        return -1
    if media.subtype == "*":
        return 1
    if media.subtype != "taxii+json":
        return -1
    if "version" not in media.params:
        return 2
    return 3 if media.params["version"] == _TAXII_VERSION else -1


def _parse_media(text: str, *, allow_wildcards: bool, allow_q: bool) -> _MediaRange:
    parts = _split_outside_quotes(text, ";")
    full_type = parts[0].strip(_OWS).lower()
    type_, slash, subtype = full_type.partition("/")
    if not slash or not _is_token(type_) or not _is_token(subtype):
        raise _Malformed(text)
    if "*" in (type_, subtype):
        if not allow_wildcards or (type_ == "*" and subtype != "*"):
            raise _Malformed(text)
    elif "*" in type_ or "*" in subtype:
        raise _Malformed(text)

    params: dict[str, str] = {}
    q = 1.0
    for raw in parts[1:]:
        raw = raw.strip(_OWS)
        if raw == "":
            continue  # RFC 9110 §5.6.6 allows empty parameters ("a/b;;c=d")
        name, eq, value = raw.partition("=")
        name = name.strip(_OWS).lower()
        value = value.strip(_OWS)
        if not eq or not _is_token(name):
            raise _Malformed(text)
        value = _unquote(value)
        if name == "q":
            if not allow_q:
                raise _Malformed(text)
            q = _parse_qvalue(value)
            # Anything after the weight is an accept-extension (RFC 7231); it is ignored.
            break
        params[name] = value
    return _MediaRange(type_, subtype, params, q)


def _parse_qvalue(value: str) -> float:
    """RFC 9110 §12.4.2: `0[.ddd]` or `1[.000]`."""
    whole, _, fraction = value.partition(".")
    if whole not in ("0", "1") or len(fraction) > 3:
        raise _Malformed(value)
    if not all(ch in "0123456789" for ch in fraction):
        raise _Malformed(value)
    if whole == "1" and fraction.strip("0"):
        raise _Malformed(value)
    return float(f"{whole}.{fraction or '0'}")


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == '"' and value[-1] == '"':
        inner = value[1:-1]
        out: list[str] = []
        escaped = False
        for ch in inner:
            if escaped:
                out.append(ch)
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                raise _Malformed(value)
            else:
                out.append(ch)
        if escaped:
            raise _Malformed(value)
        return "".join(out)
    if value == "" or not _is_token(value):
        raise _Malformed(value)
    return value


def _split_outside_quotes(text: str, separator: str) -> list[str]:
    """Split on `separator` except inside quoted strings (RFC 9110 §5.6.4)."""
    parts: list[str] = []
    current: list[str] = []
    quoted = escaped = False
    for ch in text:
        if escaped:
            escaped = False
        elif quoted and ch == "\\":
            escaped = True
        elif ch == '"':
            quoted = not quoted
        elif ch == separator and not quoted:
            parts.append("".join(current))
            current = []
            continue
        current.append(ch)
    parts.append("".join(current))
    return parts


def _is_token(text: str) -> bool:
    return text != "" and all(ch in _TCHAR for ch in text)
