"""What the YARA and Sigma rewriters share: result types, bounds, names and references."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

Redact = Callable[[str], str]

# Bounds on what a member may submit as one rule set (issue 15: bound every parser).
MAX_SOURCE_BYTES = 256 * 1024
MAX_NESTING = 32

_TOKEN_RE = re.compile(r"\[redacted:([a-z\-]{1,40})\]", re.IGNORECASE)
_LABEL_SEP_RE = re.compile(r"[._\-]+")
_NOT_IDENT_RE = re.compile(r"[^A-Za-z0-9_]")
_NOT_PATTERN_RE = re.compile(r"[^A-Za-z0-9_*]")
# Host names that only resolve inside an organisation.
_INTERNAL_SUFFIXES = (
    ".local",
    ".lan",
    ".internal",
    ".intra",
    ".intranet",
    ".corp",
    ".home",
    ".localdomain",
    ".private",
    ".test",
    ".invalid",
    ".example",
    ".localhost",
    ".home.arpa",
)
# Ticket and case numbers (INC-123, SEC-2026-0042, CSIRT#12), not public advisory ids.
# Bounded repeats keep it linear on any input.
_TICKET_RE = re.compile(
    r"(?<![A-Za-z0-9])(?!(?:CVE|CWE|CAPEC|GHSA|JVNDB|JVNVU|JVN|KB|MS|RFC|TA|ICSA)[-#])"
    r"[A-Z][A-Z0-9]{1,15}(?:-[A-Z0-9]{1,15}){0,4}[-#]\d{2,10}(?![\w-])"
)


@dataclass(frozen=True)
class DetectionChange:
    """One change to a YARA or Sigma rule: where (a dotted path), why, before and after."""

    path: str
    rule: str
    before: str
    after: str | None


@dataclass(frozen=True)
class Rewritten:
    """A rule set written back after redaction, and every change made to it."""

    text: str
    changes: tuple[DetectionChange, ...]


class DetectionError(ValueError):
    """A YARA or Sigma rule that cannot be parsed or breaks the bounds; the message is for the
    submitter (one line, no traceback)."""


def check_size(source: str, what: str) -> None:
    """Refuse a source past the size bound before any parser sees it."""
    if len(source) > MAX_SOURCE_BYTES or len(source.encode("utf-8")) > MAX_SOURCE_BYTES:
        raise DetectionError(f"{what} is larger than {MAX_SOURCE_BYTES // 1024} KiB")


def one_line(exc: BaseException, limit: int = 200) -> str:
    """A parser's message as one short line."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


def once_per_text(redact: Redact) -> Redact:
    """redact, called once per distinct text: a caller that records each finding sees it
    once, however often the rewriter looks at the same value."""
    seen: dict[str, str] = {}

    def cached(text: str) -> str:
        new = seen.get(text)
        if new is None:
            new = seen[text] = redact(text)
        return new

    return cached


def neutral_name(redacted: str, *, wildcard: bool = False) -> str:
    """An identifier for a name that the redactor changed: its tokens spelled as words,
    everything else outside [A-Za-z0-9_] (and `*` in a wildcard) turned into `_`."""
    text = _TOKEN_RE.sub(lambda m: "REDACTED_" + m.group(1).replace("-", "_"), redacted)
    text = (_NOT_PATTERN_RE if wildcard else _NOT_IDENT_RE).sub("_", text)
    if not text or text[0].isdigit():
        text = "r_" + text
    return text[:120]


class Renamer:
    """One name → identifier map per rule set, so a name and its uses are renamed alike."""

    def __init__(self, redact: Redact, *, wildcard: bool = False) -> None:
        self._redact = redact
        self._wildcard = wildcard
        self._map: dict[str, str] = {}

    def __call__(self, name: str) -> str:
        new = self._map.get(name)
        if new is None:
            redacted = redact_label(name, self._redact)
            new = name if redacted == name else neutral_name(redacted, wildcard=self._wildcard)
            self._map[name] = new
        return new


def redact_label(label: str, redact: Redact) -> str:
    """A label (identifier, tag) redacted as written and, if that finds nothing, with its
    `.`, `_` and `-` read as spaces: `sepco.kashiwazaki` and `SEPCO_Loader` name SEPCO."""
    redacted = redact(label)
    if redacted != label:
        return redacted
    spaced = _LABEL_SEP_RE.sub(" ", label)
    if spaced == label:
        return label
    redacted = redact(spaced)
    return label if redacted == spaced else redacted


def _public_host(host: str) -> bool:
    host = host.rstrip(".").lower()
    if not host:
        return False
    try:
        return ipaddress.ip_address(host.strip("[]")).is_global
    except ValueError:
        pass
    if "." not in host or host.endswith(_INTERNAL_SUFFIXES) or host == "localhost":
        return False
    labels = host.split(".")
    return all(labels) and not labels[-1].isdigit()


def is_public_reference(value: str, redact: Redact) -> bool:
    """A reference readers may follow: an http(s) URL on a public host that names none of the
    members and carries no ticket number; anything else is internal."""
    value = value.strip()
    if redact(value) != value or _TICKET_RE.search(value) is not None:
        return False
    try:
        parts = urlsplit(value)
        host = parts.hostname or ""
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and " " not in value and _public_host(host)
