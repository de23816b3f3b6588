"""URL and HTTP request parameters: a beacon's victim host or user goes, its shape stays.

A C2 beacon carries the victim's machine, user or domain in query values, path segments,
cookies and headers, often URL-, base64- or hex-encoded. Each such value is replaced in
place by a token; the attacker's scheme, host, path and parameter names stay, so the
indicator still says where the malware calls home and how.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from urllib.parse import unquote_plus

from hub.sanitize.text import TOKEN_RE, TOKENS

Victim = Callable[[str], str | None]  # text -> the rule of its first victim finding, or None

# Parameter names that, in a beacon, carry the victim's machine, user or domain.
HOST_KEYS = frozenset(
    {
        "host",
        "hostname",
        "computer",
        "computername",
        "comp",
        "pc",
        "pcname",
        "machine",
        "machinename",
        "device",
        "devicename",
        "hwid",
        "mac",
        "workstation",
        "ws",
    }
)
USER_KEYS = frozenset(
    {
        "user",
        "username",
        "uname",
        "usr",
        "userid",
        "login",
        "logon",
        "account",
        "owner",
        "victim",
        "email",
        "mail",
    }
)
DOMAIN_KEYS = frozenset({"domain", "userdomain", "dom", "dnsdomain", "ad", "workgroup"})
URL_HEADERS = frozenset({"referer", "origin", "location"})
KEPT_HEADERS = frozenset(
    {
        "user-agent",
        "content-type",
        "content-length",
        "accept",
        "accept-encoding",
        "connection",
        "cache-control",
    }
)
_B64_RE = re.compile(r"[A-Za-z0-9+/_\-]{8,}={0,2}")
_HEX_RE = re.compile(r"(?:[0-9a-fA-F]{2}){4,}")


def _decodings(value: str) -> list[str]:
    """value as written, URL-decoded, and base64- or hex-decoded when it decodes to text."""
    out = [value]
    plain = unquote_plus(value)
    if plain != value:
        out.append(plain)
    for candidate in (plain,):
        raw: bytes | None = None
        if _HEX_RE.fullmatch(candidate):
            raw = binascii.unhexlify(candidate)
        elif _B64_RE.fullmatch(candidate):
            padded = candidate + "=" * (-len(candidate) % 4)
            try:
                raw = base64.b64decode(padded.replace("-", "+").replace("_", "/"), validate=True)
            except (binascii.Error, ValueError):
                raw = None
        if raw:
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                text = raw.decode("utf-16-le", errors="ignore") if len(raw) % 2 == 0 else ""
            if text and sum(c.isprintable() for c in text) >= 0.9 * len(text):
                out.append(text)
    return out


def split_authority(url: str) -> tuple[str, str]:
    """("scheme://authority", the rest) of an absolute URL, defanged ones too; else ("", url)."""
    scheme, sep, rest = url.partition("://")
    if not sep or not scheme or not all(c.isalnum() or c in "+.-[]" for c in scheme):
        return "", url
    end = min(
        (i for i in (rest.find("/"), rest.find("?"), rest.find("#")) if i >= 0), default=len(rest)
    )
    return f"{scheme}{sep}{rest[:end]}", rest[end:]


# Windows' own names for a new machine (DESKTOP-8F3K2JQ, WIN-4J2K9L0M1N2): in a beacon, the
# machine that calls home, the victim's.
DEFAULT_HOST_RE = re.compile(r"(?:desktop|laptop|win)-[a-z0-9]{7,11}", re.IGNORECASE)
_NOT_NAME = str.maketrans({c: " " for c in "|;:,&=/\\@()[]{}<>'\"\t\r\n"})


def default_host_name(text: str) -> bool:
    """Some word of text is a Windows default machine name (one split, anchored matches)."""
    return any(DEFAULT_HOST_RE.fullmatch(w) for w in text.translate(_NOT_NAME).split())


def _key_token(key: str) -> str | None:
    k = unquote_plus(key).strip().lower()
    if k in HOST_KEYS:
        return TOKENS["hostname"]
    if k in USER_KEYS:
        return TOKENS["user-path"]
    if k in DOMAIN_KEYS:
        return TOKENS["member-domain"]
    return None


class ParameterRedactor:
    """Replaces victim values in URL components; `changes` lists (where, before, token)."""

    def __init__(self, victim: Victim) -> None:
        self.victim = victim
        self.changes: list[tuple[str, str, str]] = []

    def value(self, where: str, value: str, key: str | None = None) -> str:
        """A parameter value, or its token when it names the victim (in any decoding)."""
        if not value or TOKEN_RE.fullmatch(value.lower()):
            return value
        for text in _decodings(value):
            rule = self.victim(text) or ("hostname" if default_host_name(text) else None)
            if rule is not None:
                token = TOKENS.get(rule, TOKENS["term"])
                self.changes.append((where, value, token))
                return token
        by_key = _key_token(key) if key is not None else None
        if by_key is not None:
            self.changes.append((where, value, by_key))
            return by_key
        return value

    def query(self, where: str, query: str, sep: str = "&") -> str:
        parts = []
        for pair in query.split(sep):
            key, eq, val = pair.partition("=")
            if eq:
                parts.append(f"{key}={self.value(f'{where}.{key.strip()}', val, key)}")
            else:
                parts.append(self.value(where, pair))
        return sep.join(parts)

    def url(self, where: str, url: str) -> str:
        """url with victim path segments, query values, fragment and user info replaced."""
        before = len(self.changes)
        head, rest = split_authority(url)
        if "@" in head:
            scheme, _, authority = head.partition("://")
            user, _, host = authority.rpartition("@")
            head = f"{scheme}://{self.value(f'{where}.userinfo', user, 'user')}@{host}"
        rest, hash_, fragment = rest.partition("#")
        path, qmark, query = rest.partition("?")
        out = head + "/".join(self.value(f"{where}.path", seg) for seg in path.split("/"))
        if qmark:
            out += "?" + self.query(f"{where}.query", query)
        if hash_:
            out += "#" + self.query(f"{where}.fragment", fragment)
        return out if len(self.changes) > before else url

    def header(self, where: str, name: str, value: str) -> str:
        """One HTTP request header value: URLs and cookies by part, others whole."""
        lname = name.strip().lower()
        if lname in KEPT_HEADERS:
            return value
        if lname in URL_HEADERS:
            return self.url(where, value)
        if lname == "cookie":
            return "; ".join(self.query(where, c.strip()) for c in value.split(";"))
        if lname in ("authorization", "proxy-authorization"):
            scheme, _, cred = value.partition(" ")
            return f"{scheme} {self.value(where, cred)}" if cred else self.value(where, value)
        return self.value(where, value)
