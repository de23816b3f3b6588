"""STIX pattern checking: a fast recogniser for common shapes, stix2-patterns for the rest.

The recogniser only ever *accepts*: anything outside its small language (or anything it
would reject) goes to the full ANTLR parser, so it cannot be more lenient than
stix2-patterns, and rejections carry the parser's own message.
"""

from __future__ import annotations

import re
from datetime import datetime

from hub.validate.common import BASE64_RE, SCO_TYPES

_KEYWORDS = frozenset(
    {
        "AND",
        "OR",
        "NOT",
        "FOLLOWEDBY",
        "LIKE",
        "MATCHES",
        "ISSUPERSET",
        "ISSUBSET",
        "EXISTS",
        "LAST",
        "IN",
        "START",
        "STOP",
        "SECONDS",
        "true",
        "false",
        "WITHIN",
        "REPEATS",
        "TIMES",
    }
)
_TOKEN_RE = re.compile(
    r"""
    (?P<ws>[ \t\r\n]+)
  | (?P<ts>t'(\d{4})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):([0-5]\d):([0-5]\d)
        (?:\.(\d{1,6}))?Z')
  | (?P<hex>h'(?:[0-9a-fA-F]{2})+')
  | (?P<bin>b'[A-Za-z0-9+/=]+')
  | (?P<str>'(?:[^'\\]|\\['\\])*+(?P<close>')?)
  | (?P<num>-?(?:0|[1-9]\d*)(?:\.\d+)?(?![\w.]))
  | (?P<word>[A-Za-z_][A-Za-z0-9_-]*)
  | (?P<op><=|>=|!=|=(?!=)|<(?!>)|>)
  | (?P<punct>[\[\]():.,*])
    """,
    re.VERBOSE,
)
_TYPE_RE = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
_PROP_RE = re.compile(r"^[a-z0-9_]{3,250}$")
# stix2-validator's own rule for object types named in patterns (musts.TYPE_FORMAT_RE).
_VALIDATOR_TYPE_RE = re.compile(r"^-?[a-z0-9]+(?:-[a-z0-9]+)*-?$")
_COMPONENT_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# stix2-patterns checks the value of a comparison against these when the path names a hash.
_HASH_RE = {
    "MD5": re.compile(r"^[a-fA-F0-9]{32}$"),
    "RIPEMD160": re.compile(r"^[a-fA-F0-9]{40}$"),
    "SHA1": re.compile(r"^[a-fA-F0-9]{40}$"),
    "SHA224": re.compile(r"^[a-fA-F0-9]{56}$"),
    "SHA256": re.compile(r"^[a-fA-F0-9]{64}$"),
    "SHA384": re.compile(r"^[a-fA-F0-9]{96}$"),
    "SHA512": re.compile(r"^[a-fA-F0-9]{128}$"),
    "SHA3224": re.compile(r"^[a-fA-F0-9]{56}$"),
    "SHA3256": re.compile(r"^[a-fA-F0-9]{64}$"),
    "SHA3384": re.compile(r"^[a-fA-F0-9]{96}$"),
    "SHA3512": re.compile(r"^[a-fA-F0-9]{128}$"),
    "SSDEEP": re.compile(r"^[a-zA-Z0-9/+:.]{1,128}$"),
    "WHIRLPOOL": re.compile(r"^[a-fA-F0-9]{128}$"),
}


# Both parsers recurse once per bracket; a bound checked before either runs keeps a deeply
# nested pattern a validation error instead of a RecursionError (no real pattern comes close).
MAX_PATTERN_DEPTH = 64


def nesting_depth(pattern: str) -> int:
    """The deepest nesting of ( and [ in a pattern, outside quoted literals; one linear pass."""
    depth = deepest = 0
    quoted = escaped = False
    for ch in pattern:
        if quoted:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == "'":
                quoted = False
        elif ch == "'":
            quoted = True
        elif ch in "([":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in ")]":
            depth -= 1
    return deepest


class _Unknown(Exception):
    """The recogniser cannot vouch for this pattern; ask the full parser."""


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos, end = 0, len(text)
    while pos < end:
        m = _TOKEN_RE.match(text, pos)
        if m is None:
            raise _Unknown
        kind = m.lastgroup or ""
        if kind == "ts":
            g = m.groups()
            # groups 2-8 of the whole regex are the timestamp fields
            try:
                datetime(int(g[2]), int(g[3]), int(g[4]), int(g[5]), int(g[6]), int(g[7]))
            except ValueError:
                raise _Unknown from None
        elif kind == "bin" and BASE64_RE.match(m.group()[2:-1]) is None:
            raise _Unknown
        elif kind == "str" and m.group("close") is None:
            # Unclosed (the closing quote is optional so the regex never fails after a quote
            # and rescans from the next one): the full parser gives the reason.
            raise _Unknown
        if kind != "ws":
            value = m.group()
            if kind == "word" and value in _KEYWORDS:
                kind = "kw"
            out.append((kind, value))
        pos = m.end()
    return out


class _Parser:
    """Recursive descent over the common subset of the STIX 2.1 pattern grammar."""

    __slots__ = ("toks", "i")

    def __init__(self, toks: list[tuple[str, str]]) -> None:
        self.toks = toks
        self.i = 0

    def peek(self) -> tuple[str, str]:
        return self.toks[self.i] if self.i < len(self.toks) else ("eof", "")

    def take(self, kind: str, value: str | None = None) -> str:
        k, v = self.peek()
        if k != kind or (value is not None and v != value):
            raise _Unknown
        self.i += 1
        return v

    def accept(self, kind: str, value: str) -> bool:
        if self.peek() == (kind, value):
            self.i += 1
            return True
        return False

    def pattern(self) -> None:
        self.observations()
        if self.i != len(self.toks):
            raise _Unknown

    def observations(self) -> None:
        self.observation()
        while self.peek() in (("kw", "AND"), ("kw", "OR"), ("kw", "FOLLOWEDBY")):
            self.i += 1
            self.observation()

    def observation(self) -> None:
        if self.accept("punct", "("):
            self.observations()
            self.take("punct", ")")
            if self.peek()[0] == "kw" and self.peek()[1] in ("WITHIN", "REPEATS", "START"):
                raise _Unknown
            return
        self.take("punct", "[")
        self.comparison_or()
        self.take("punct", "]")
        seen: set[str] = set()
        while True:
            k, v = self.peek()
            if k != "kw" or v not in ("WITHIN", "REPEATS", "START"):
                return
            if v in seen:
                raise _Unknown
            seen.add(v)
            self.i += 1
            if v == "WITHIN":
                n = self.take("num")
                if n.startswith("-") or float(n) <= 0:
                    raise _Unknown
                self.take("kw", "SECONDS")
            elif v == "REPEATS":
                n = self.take("num")
                if "." in n or n.startswith("-") or int(n) <= 0:
                    raise _Unknown
                self.take("kw", "TIMES")
            else:
                self.take("ts")
                self.take("kw", "STOP")
                self.take("ts")

    def comparison_or(self) -> None:
        self.comparison_and()
        while self.accept("kw", "OR"):
            self.comparison_and()

    def comparison_and(self) -> None:
        self.test()
        while self.accept("kw", "AND"):
            self.test()

    def test(self) -> None:
        if self.accept("punct", "("):
            self.comparison_or()
            self.take("punct", ")")
            return
        hash_re = self.path()
        self.accept("kw", "NOT")
        k, v = self.peek()
        self.i += 1
        if k == "op":
            lit_kind, lit = self.literal()
            if v not in ("=", "!=") and lit_kind == "bool":
                raise _Unknown
            if hash_re is not None:
                if v not in ("=", "!=") or lit_kind != "str" or "\\" in lit:
                    raise _Unknown
                if hash_re.match(lit[1:-1]) is None:
                    raise _Unknown
        elif hash_re is not None:
            raise _Unknown
        elif k == "kw" and v in ("LIKE", "MATCHES", "ISSUBSET", "ISSUPERSET"):
            self.take("str")
        elif k == "kw" and v == "IN":
            self.take("punct", "(")
            self.literal()
            while self.accept("punct", ","):
                self.literal()
            self.take("punct", ")")
        else:
            raise _Unknown

    def literal(self) -> tuple[str, str]:
        k, v = self.peek()
        if k in ("str", "num", "ts", "hex", "bin"):
            self.i += 1
            return k, v
        if k == "kw" and v in ("true", "false"):
            self.i += 1
            return "bool", v
        raise _Unknown

    def path(self) -> re.Pattern[str] | None:
        """Parse an object path; return the hash regex its value must match, if it names one."""
        obj_type = self.take("word")
        if _TYPE_RE.match(obj_type) is None or not 3 <= len(obj_type) <= 250:
            raise _Unknown
        self.take("punct", ":")
        first = self.take("word")
        if _PROP_RE.match(first) is None:
            raise _Unknown
        components = [first]
        last_is_index = False
        while True:
            if self.accept("punct", "."):
                k, v = self.peek()
                self.i += 1
                if k == "word" and _COMPONENT_RE.match(v):
                    components.append(v)
                elif k == "str" and "\\" not in v:
                    components.append(v[1:-1])
                else:
                    raise _Unknown
                last_is_index = False
            elif self.accept("punct", "["):
                k, v = self.peek()
                self.i += 1
                if not (k == "num" and v.isdigit()) and (k, v) != ("word", "*") and v != "*":
                    raise _Unknown
                self.take("punct", "]")
                last_is_index = True
            else:
                break
        if "hashes" not in components:
            return None
        if last_is_index:
            raise _Unknown
        key = components[-1].upper().replace("-", "")
        if key == "MD6":
            raise _Unknown
        return _HASH_RE.get(key)


def recognise(pattern: str) -> bool:
    """True if the pattern is in the fast subset and valid; False means "ask the parser"."""
    try:
        _Parser(_tokens(pattern)).pattern()
    except (_Unknown, ValueError, RecursionError):
        return False
    return True


def _full_check(pattern: str, version: str) -> str | None:
    """stix2-patterns plus the object-type/property checks stix2-validator adds."""
    from stix2patterns.validator import run_validator

    try:
        errors = run_validator(pattern, version)
    except Exception as exc:  # noqa: BLE001 - the parser raises assorted errors on odd input
        return f"invalid STIX pattern: {exc}"
    if errors:
        return f"invalid STIX pattern: {errors[0]}"
    # stix2-validator inspects every pattern with the 2.1 grammar, whatever pattern_version says.
    from stix2patterns.v21.pattern import Pattern

    try:
        inspected = Pattern(pattern).inspect().comparisons
    except Exception as exc:  # noqa: BLE001 - e.g. 2.0-only syntax under the 2.1 grammar
        return f"invalid STIX pattern: {exc}"
    for obj_type, comparisons in inspected.items():
        if _VALIDATOR_TYPE_RE.match(obj_type) is None or not 3 <= len(obj_type) <= 250:
            return f"invalid STIX pattern: {obj_type!r} is not a valid object type name"
        for path, _op, _value in comparisons:
            prop = path[0]
            # the validator lists `id` among each STIX SCO's properties, so it passes there
            if prop == "id" and obj_type in SCO_TYPES:
                continue
            if not isinstance(prop, str) or _PROP_RE.match(prop) is None:
                return f"invalid STIX pattern: {prop!r} is not a valid property name"
    return None


def check_pattern(pattern: str, version: str = "2.1") -> str | None:
    """Why a STIX pattern is invalid, or None when it is valid."""
    if nesting_depth(pattern) > MAX_PATTERN_DEPTH:
        return f"invalid STIX pattern: nested deeper than {MAX_PATTERN_DEPTH} brackets"
    if version == "2.1" and recognise(pattern):
        return None
    return _full_check(pattern, version)
