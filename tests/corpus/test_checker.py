"""The corpus checker finds a planted value under every encoding and nothing unrelated."""

from __future__ import annotations

import base64
import json
import string
from collections.abc import Callable
from urllib.parse import quote, quote_plus

from hypothesis import given
from hypothesis import strategies as st

from tests.corpus import decoders
from tests.corpus.checker import Attacker, Expectation, Fetched, Haystack, Planted, check

Encoder = Callable[[str], str]


def fullwidth(s: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in s)


def defang(s: str) -> str:
    return s.replace("http", "hxxp").replace(".", "[.]").replace("@", "[@]")


def json_escaped(s: str) -> str:
    return json.dumps(s, ensure_ascii=True)[1:-1].replace("-", "\\u002d")


def b64(s: str) -> str:
    return base64.b64encode(s.encode()).decode()


def b64url(s: str) -> str:
    return base64.urlsafe_b64encode(s.encode()).decode().rstrip("=")


def utf16_b64(s: str) -> str:
    return base64.b64encode(s.encode("utf-16-le")).decode()


def html_entities(s: str) -> str:
    return "".join(f"&#x{ord(c):x};" if i % 2 else c for i, c in enumerate(s))


def hex_escaped(s: str) -> str:
    return "".join(f"\\x{byte:02x}" for byte in s.encode())


def yara_hex(s: str) -> str:
    return "{ " + " ".join(f"{byte:02X}" for byte in s.encode()) + " }"


ENCODERS: dict[str, Encoder] = {
    "plain": lambda s: s,
    "upper": str.upper,
    "json": json_escaped,
    "url": lambda s: quote(s, safe=""),
    "url-twice": lambda s: quote(quote(s, safe=""), safe=""),
    "url-plus": quote_plus,
    "base64": b64,
    "base64url": b64url,
    "base64-in-url": lambda s: quote(b64(s), safe=""),
    "fullwidth": fullwidth,
    "defanged": defang,
    "defanged-dot-word": lambda s: s.replace(".", "[dot]").replace("@", "(at)"),
    "json-of-url": lambda s: json_escaped(quote(s, safe="")),
    "powershell-encoded": lambda s: f"powershell -enc {utf16_b64(s)}",
    "html-entities": html_entities,
    "hex-escapes": hex_escaped,
    "yara-hex": yara_hex,
    "base64-of-json": lambda s: b64(json_escaped(s)),
}

VALUE_ALPHABET = string.ascii_letters + string.digits + ".-@_/\\" + "田中健二坂出発電所あいう"
values = st.text(VALUE_ALPHABET, min_size=6, max_size=24).filter(
    lambda v: v[0].isalnum() and v[-1].isalnum()
)
# Filler never holds letters or digits next to the value, so a planted value stays whole,
# nor the marker of the unrelated values.
fillers = st.text(" ,;:()\n\t\"'<>=", max_size=30)
MARKER = "ぬ"


def found(text: str, value: str) -> bool:
    return bool(Haystack([Fetched("r", "w", text)]).holders(value))


@given(value=values, encoding=st.sampled_from(sorted(ENCODERS)), before=fillers, after=fillers)
def test_a_value_planted_under_any_encoding_is_found(
    value: str, encoding: str, before: str, after: str
) -> None:
    assert found(before + ENCODERS[encoding](value) + after, value)


@given(
    value=values,
    other=values,
    encoding=st.sampled_from(sorted(ENCODERS)),
    filler=fillers,
    shape=st.sampled_from(["other", "suffix", "prefix", "inside"]),
)
def test_an_unrelated_value_is_not_found(
    value: str, other: str, encoding: str, filler: str, shape: str
) -> None:
    # The unrelated value holds a character no encoding of the planted one produces,
    # and is the planted value itself but for it, so a prefix match would be caught.
    unrelated = {
        "other": other + MARKER,
        "suffix": value + MARKER,
        "prefix": MARKER + value,
        "inside": value[:3] + MARKER + value[3:],
    }[shape]
    assert not found(filler + ENCODERS[encoding](value) + filler, unrelated)


def test_random_bytes_behind_a_letter_run_are_not_text_a_reader_sees() -> None:
    # A run of letters and digits (a hub id) decodes to bytes; three letters among random
    # bytes are no leak. The same word base64-encoded as text still is one.
    noise = bytes([0x89, 0xFE, 0x01, 0x9C, 0xD7]) + b" IMZ " + bytes([0xFF, 0x80, 0x02, 0x9D])
    assert not found("id " + base64.b64encode(noise).decode() + " end", "IMZ")
    assert found("id " + b64("user IMZ\\r.matsuo") + " end", "IMZ")
    assert found("powershell -enc " + utf16_b64("net use \\\\fs01\\IMZ$"), "IMZ")


def test_ipv6_written_expanded_or_compressed_is_the_same_address() -> None:
    assert found("peer 2001:0df3:9a00:0012:0000:0000:0000:001f said", "2001:df3:9a00:12::1f")
    assert found('"value": "2001:df3:9a00:12::1f"', "2001:0df3:9a00:0012:0000:0000:0000:001f")
    assert not found("2001:df3:9a00:12::1e", "2001:df3:9a00:12::1f")


def test_hits_respect_token_edges_for_ascii_but_not_for_japanese() -> None:
    assert found("user IMZ\\r.matsuo", "IMZ")
    assert not found("SIMZONE", "IMZ")
    assert not found("10.41.7.234", "10.41.7.23")
    assert found("経理部の田中健二さん", "田中 健二")
    assert found("担当:坂出発電所内", "坂出発電所")


def test_json_escape_surrogates_and_control_escapes_decode() -> None:
    assert decoders.json_unescape("\\ud83d\\ude00 \\u7530\\u4e2d \\n") == "\U0001f600 田中 \n"


def _expectation(**kw: object) -> Expectation:
    raw = json.dumps({"type": "bundle", "objects": []})
    base: dict[str, object] = {
        "bundle": "00-test",
        "submitter": "setouchi-power",
        "published": True,
        "planted": (),
        "attacker": (),
        "raw": raw,
    }
    return Expectation(**(base | kw))  # type: ignore[arg-type]


def test_check_reports_leaks_and_attacker_values_by_sector_reader() -> None:
    e = _expectation(
        planted=(
            Planted("sep-ws-0417", "setouchi-power", "host-glob", "pattern", "00-test"),
            Planted("k.tanaka", "setouchi-power", "person", "body", "00-test"),
        ),
        attacker=(
            Attacker("198.51.100.23", "ipv4", "00-test"),
            Attacker("evil.example.net", "domain", "00-test"),
        ),
    )
    fetched = [
        Fetched("kisogawa-gas", "objects indicator--1", "[ipv4-addr:value = '198.51.100.23']"),
        # Seen only by another sector's reader: not kept for the submitter's sector.
        Fetched(
            "mikawa-seiki", "objects indicator--2", "evil[.]example[.]net from c2VwLXdzLTA0MTc="
        ),
    ]
    report = check([e], fetched)
    assert [(leak.value, leak.cls) for leak in report.leaks] == [("sep-ws-0417", "host-glob")]
    assert report.leaks[0].where == ("mikawa-seiki: objects indicator--2",)
    assert report.leaks[0].readers == frozenset({"mikawa-seiki"})
    assert "an anonymous client sees: 0" in report.table()
    assert [a.value for a in report.kept] == ["198.51.100.23"]
    assert [a.value for a in report.lost] == ["evil.example.net"]
    assert report.kept_ratio == 0.5
    assert "sep…" in report.describe_leaks() and "sep-ws-0417" not in report.describe_leaks()


def test_registered_assets_of_every_member_count_in_every_bundle() -> None:
    raw = json.dumps({"type": "bundle", "objects": [{"description": "partner 三河精機 mail"}]})
    e = _expectation(raw=raw)
    report = check([e], [Fetched("anonymous", "public", "from 三河精機 and Setouchi Power")])
    leaked = {(leak.value, leak.member, leak.bundles) for leak in report.leaks}
    assert ("三河精機", "mikawa-seiki", ("00-test",)) in leaked
    assert ("Setouchi Power", "setouchi-power", ("(none)",)) in leaked
