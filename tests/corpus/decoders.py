"""Every form in which a value can hide in what a reader fetches: the raw text, JSON string
escapes, URL encoding (repeated), HTML entities, \\x and YARA hex bytes, base64 runs (UTF-8
or UTF-16LE, as PowerShell's -EncodedCommand), NFKC (full-width forms), defanged forms, and
IPv6 addresses written compressed or expanded."""

from __future__ import annotations

import base64
import binascii
import html
import ipaddress
import re
import unicodedata
from urllib.parse import unquote, unquote_plus

_JSON_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}(?:\\u[0-9a-fA-F]{4})?|[\"\\/bfnrt])")
_SIMPLE = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_BASE64_RUN = re.compile(r"[A-Za-z0-9+/_-]{8,}={0,2}")
_HEX_ESCAPES = re.compile(r"(?:\\x[0-9A-Fa-f]{2})+")
_YARA_HEX = re.compile(r"\{((?:\s*[0-9A-Fa-f]{2}){4,}\s*)\}")
_IPV6_RUN = re.compile(r"[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}")
# Defanging as analysts write it, most specific first.
_REFANG = (
    (re.compile(r"hxxp", re.IGNORECASE), "http"),
    (re.compile(r"h\[tt\]p", re.IGNORECASE), "http"),
    (re.compile(r"\[://\]"), "://"),
    (re.compile(r"\[:\]"), ":"),
    (re.compile(r"\s?[\[(\{]\s?(?:\.|dot)\s?[\])\}]\s?", re.IGNORECASE), "."),
    (re.compile(r"\s?[\[(\{]\s?(?:@|at)\s?[\])\}]\s?", re.IGNORECASE), "@"),
    (re.compile(r"\[/\]"), "/"),
)
_URL_ROUNDS = 8
_BASE64_DEPTH = 2


def json_unescape(text: str) -> str:
    """Undo JSON string escapes wherever they occur (surrogate pairs included)."""

    def one(m: re.Match[str]) -> str:
        esc = m.group(1)
        if not esc.startswith("u"):
            return _SIMPLE[esc]
        units = [int(part, 16) for part in esc.replace("\\u", " ").replace("u", " ").split()]
        raw = b"".join(u.to_bytes(2, "big") for u in units)
        return (
            raw.decode("utf-16-be", errors="surrogatepass")
            .encode("utf-8", errors="replace")
            .decode("utf-8", errors="replace")
        )

    return _JSON_ESCAPE.sub(one, text)


def url_decoded(text: str) -> list[str]:
    """Percent-decoding applied until nothing changes, with and without '+' as space."""
    out: list[str] = []
    for decode in (unquote, unquote_plus):
        current = text
        for _ in range(_URL_ROUNDS):
            nxt = decode(current)
            if nxt == current:
                break
            out.append(nxt)
            current = nxt
    return out


def refang(text: str) -> str:
    for pattern, replacement in _REFANG:
        text = pattern.sub(replacement, text)
    return text


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def base64_runs(text: str) -> list[str]:
    """Each run of base64 characters decoded (standard and URL-safe, at every offset)."""
    out: list[str] = []
    for m in _BASE64_RUN.finditer(text):
        run = m.group(0).rstrip("=")
        for offset in range(4):
            chunk = run[offset:]
            chunk = chunk[: len(chunk) - len(chunk) % 4] if len(chunk) % 4 == 1 else chunk
            padded = chunk + "=" * (-len(chunk) % 4)
            for altchars in (b"+/", b"-_"):
                try:
                    raw = base64.b64decode(padded.encode(), altchars=altchars, validate=False)
                except (binascii.Error, ValueError):
                    continue
                out.extend(t for t in text_of(raw, errors="replace") if _mostly_text(t))
    return out


def _mostly_text(text: str) -> bool:
    """Decoded bytes that read as text: at most one character in ten undecodable or a
    control character. Any run of letters and digits decodes to bytes, and random bytes
    hold three-letter words by chance (a hub id's hex digits once "decoded" to `IMZ`);
    those are not what a reader can see."""
    bad = sum(
        1 for c in text if c == "\ufffd" or (unicodedata.category(c) == "Cc" and c not in "\t\n\r")
    )
    return bool(text) and bad * 10 <= len(text)


def text_of(raw: bytes, errors: str = "ignore") -> list[str]:
    """Bytes as text: UTF-8, and UTF-16LE when every other byte is NUL."""
    out = [t for t in (raw.decode("utf-8", errors=errors),) if t]
    if len(raw) >= 4 and raw[1::2].count(0) * 2 >= len(raw) // 2:
        out.append(raw.decode("utf-16-le", errors=errors))
    return out


def hex_bytes(text: str) -> list[str]:
    """\\xNN escape runs and YARA hex strings ({ 73 65 70 … }) decoded."""
    out: list[str] = []
    for m in _HEX_ESCAPES.finditer(text):
        out.extend(text_of(bytes.fromhex(m.group(0).replace("\\x", ""))))
    for m in _YARA_HEX.finditer(text):
        out.extend(text_of(bytes.fromhex("".join(m.group(1).split()))))
    return out


def ipv6_normalised(text: str) -> str:
    """Every IPv6 address in the text, written compressed, one per line."""
    found: list[str] = []
    for m in _IPV6_RUN.finditer(text):
        candidate = m.group(0)
        try:
            found.append(ipaddress.IPv6Address(candidate).compressed)
        except ValueError:
            continue
    return "\n".join(found)


def _surface(text: str) -> list[str]:
    """The text and its JSON-unescaped, URL-decoded, NFKC and refanged forms."""
    forms = [text]
    unescaped = json_unescape(text)
    if unescaped != text:
        forms.append(unescaped)
    for form in list(forms):
        forms.extend(url_decoded(form))
    for form in list(forms):
        entities = html.unescape(form)
        if entities != form:
            forms.append(entities)
    for form in list(forms):
        forms.extend(hex_bytes(form))
    for form in list(forms):
        normal = nfkc(form)
        if normal != form:
            forms.append(normal)
    for form in list(forms):
        refanged = refang(form)
        if refanged != form:
            forms.append(refanged)
    return list(dict.fromkeys(forms))


def views(text: str) -> list[str]:
    """Every decoded form of the text, casefolded, to search values in."""
    forms = _surface(text)
    frontier = forms
    for _ in range(_BASE64_DEPTH):
        decoded = [d for form in frontier for d in base64_runs(form)]
        frontier = [s for d in decoded for s in _surface(d)]
        forms.extend(frontier)
    ipv6 = "\n".join(filter(None, (ipv6_normalised(f) for f in forms)))
    if ipv6:
        forms.append(ipv6)
    return list(dict.fromkeys(f.casefold() for f in forms))


def needles(value: str) -> set[str]:
    """The forms of a planted value to look for in the casefolded views."""
    base = nfkc(value).casefold()
    out = {base}
    if any(ord(c) > 0x2E7F for c in base) and " " in base:
        out.add(base.replace(" ", ""))  # 田中 健二 is also written 田中健二
    try:
        addr = ipaddress.IPv6Address(value)
    except ValueError:
        pass
    else:
        out.add(addr.compressed)
        out.add(addr.exploded)
        out.add(":".join(g.lstrip("0") or "0" for g in addr.exploded.split(":")))
    return out


def _ascii_alnum(c: str) -> bool:
    return c.isascii() and c.isalnum()


def bounded(haystack: str, needle: str, start: int) -> bool:
    """A hit of an ASCII-alphanumeric edge must not run on into letters or digits."""
    end = start + len(needle)
    if _ascii_alnum(needle[0]) and start > 0 and _ascii_alnum(haystack[start - 1]):
        return False
    return not (_ascii_alnum(needle[-1]) and end < len(haystack) and _ascii_alnum(haystack[end]))
