from __future__ import annotations

import base64
import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hub.taxii.cursor import (
    CURSOR_KEY_PURPOSE,
    CursorError,
    Position,
    decode,
    derive_key,
    encode,
)
from hub.taxii.filters import Endpoint, parse_query

PROPS = settings(max_examples=200, deadline=None)
KEY = derive_key(b"hub secret key material", CURSOR_KEY_PURPOSE)
COLLECTION = "91a7b528-80eb-42ed-a74d-c6fbd5a26116"
OTHER_COLLECTION = "52892447-4d7e-4f70-b94d-d7f22742ff63"
FINGERPRINT = hashlib.sha256(b"filters").digest()
POS = Position(date_added=1_764_156_516_123_456, seq=42)

int64 = st.integers(min_value=-(2**63), max_value=2**63 - 1)


def enc(position: Position = POS, **kw: object) -> str:
    args = {"collection_id": COLLECTION, "fingerprint": FINGERPRINT, "key": KEY} | kw
    return encode(position, **args)  # type: ignore[arg-type]


def dec(token: str, **kw: object) -> Position:
    args = {"collection_id": COLLECTION, "fingerprint": FINGERPRINT, "key": KEY} | kw
    return decode(token, **args)  # type: ignore[arg-type]


def test_round_trip_and_shape() -> None:
    token = enc()
    assert dec(token) == POS
    assert len(token) == 44 < 100
    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert "=" not in token


@PROPS
@given(int64, int64, st.text(max_size=80), st.binary(max_size=64))
def test_round_trip_any_position(date_added: int, seq: int, collection: str, fp: bytes) -> None:
    position = Position(date_added, seq)
    token = encode(position, collection_id=collection, fingerprint=fp, key=KEY)
    assert decode(token, collection_id=collection, fingerprint=fp, key=KEY) == position


def test_every_single_bit_flip_is_rejected() -> None:
    token = enc()
    raw = bytearray(base64.urlsafe_b64decode(token))
    for index in range(len(raw)):
        for bit in range(8):
            flipped = bytearray(raw)
            flipped[index] ^= 1 << bit
            forged = base64.urlsafe_b64encode(bytes(flipped)).rstrip(b"=").decode()
            with pytest.raises(CursorError):
                dec(forged)


def test_every_bit_flip_of_the_text_is_rejected() -> None:
    token = enc()
    for index in range(len(token)):
        for bit in range(8):
            forged = token[:index] + chr(ord(token[index]) ^ (1 << bit)) + token[index + 1 :]
            with pytest.raises(CursorError):
                dec(forged)


def test_every_truncation_and_extension_is_rejected() -> None:
    token = enc()
    for cut in range(len(token)):
        with pytest.raises(CursorError):
            dec(token[:cut])
    for extra in ("A", "AAAA", "=", "==", token):
        with pytest.raises(CursorError):
            dec(token + extra)


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        " ",
        "null",
        "=" * 44,
        "A" * 44,
        "+" * 44,
        "/" * 44,
        " " + "A" * 43,
        "é" * 44,
        "x" * 10**6,
    ],
)
def test_garbage_is_rejected(garbage: str) -> None:
    with pytest.raises(CursorError):
        dec(garbage)


def test_padded_and_standard_alphabet_forms_are_rejected() -> None:
    token = enc()
    with pytest.raises(CursorError):
        dec(token + "=")
    standard = token.replace("-", "+").replace("_", "/")
    if standard != token:
        with pytest.raises(CursorError):
            dec(standard)


def test_other_collection_fingerprint_or_key_is_rejected() -> None:
    token = enc()
    with pytest.raises(CursorError):
        dec(token, collection_id=OTHER_COLLECTION)
    with pytest.raises(CursorError):
        dec(token, fingerprint=hashlib.sha256(b"other filters").digest())
    with pytest.raises(CursorError):
        dec(token, key=derive_key(b"another hub secret", CURSOR_KEY_PURPOSE))
    with pytest.raises(CursorError):
        dec(token, key=derive_key(b"hub secret key material", "another purpose"))


def test_length_prefixes_keep_collection_and_fingerprint_apart() -> None:
    # Moving a byte from the collection id into the fingerprint must not keep the tag valid.
    token = encode(POS, collection_id="abc", fingerprint=b"def", key=KEY)
    with pytest.raises(CursorError):
        decode(token, collection_id="ab", fingerprint=b"cdef", key=KEY)


def test_cursor_is_bound_to_the_filters_but_not_to_limit() -> None:
    def fp(params: dict[str, str]) -> bytes:
        return parse_query(
            params, endpoint=Endpoint.OBJECTS, default_limit=100, max_limit=1000
        ).fingerprint()

    token = enc(fingerprint=fp({"match[type]": "indicator", "limit": "10"}))
    assert dec(token, fingerprint=fp({"match[type]": "indicator", "limit": "500"})) == POS
    assert dec(token, fingerprint=fp({"match[type]": "indicator"})) == POS
    with pytest.raises(CursorError):
        dec(token, fingerprint=fp({"match[type]": "malware", "limit": "10"}))
    with pytest.raises(CursorError):
        dec(token, fingerprint=fp({}))


def test_cursor_errors_are_value_errors() -> None:
    with pytest.raises(ValueError):
        dec("nope")


def test_encode_refuses_out_of_range_positions_and_empty_keys() -> None:
    with pytest.raises(ValueError, match="64-bit"):
        enc(Position(2**63, 0))
    with pytest.raises(ValueError, match="64-bit"):
        enc(Position(0, -(2**63) - 1))
    with pytest.raises(ValueError, match="key"):
        enc(key=b"")


def test_derive_key() -> None:
    key = derive_key(b"secret", "purpose")
    assert len(key) == 32
    assert key == derive_key(b"secret", "purpose")
    assert key != derive_key(b"secret", "purpose2")
    assert key != derive_key(b"secret2", "purpose")
    assert key != b"secret"
    with pytest.raises(ValueError):
        derive_key(b"", "purpose")
    with pytest.raises(ValueError):
        derive_key(b"secret", "")


def test_derive_key_matches_rfc5869_hkdf_construction() -> None:
    import hmac

    prk = hmac.new(b"mamori.hkdf.salt.v1", b"ikm", hashlib.sha256).digest()
    okm = hmac.new(prk, b"info\x01", hashlib.sha256).digest()
    assert derive_key(b"ikm", "info") == okm


@PROPS
@given(st.text(max_size=120))
def test_arbitrary_text_only_ever_raises_cursor_error(text: str) -> None:
    try:
        dec(text)
    except CursorError:
        return
    # Only a genuine token can decode; random text forging a 128-bit tag is not a concern.
    assert text == enc(dec(text))
