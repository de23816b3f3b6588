"""Parsing YARA with plyara under bounds, and the literal forms plyara hands back."""

from __future__ import annotations

import re
import threading
from typing import Any

import plyara
import plyara.utils

from hub.sanitize.detection.common import DetectionError, check_size, one_line
from hub.sanitize.detection.yarascan import prescan

MAX_RULES = 500
MAX_STRINGS = 2_000
MAX_CONDITION_TERMS = 4_000

_local = threading.local()
_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
_ESCAPE_OUT = {"\n": "\\n", "\t": "\\t", "\r": "\\r", '"': '\\"', "\\": "\\\\"}
_STRING_REF_RE = re.compile(r"[A-Za-z0-9_]+\*?|\*")
_HEX_PAIR_RE = re.compile(r"~?[0-9A-Fa-f?]{2}|\[[^\]]{0,40}\]|[()|]")


def _parser() -> Any:
    """A parser for this thread: building plyara's LALR tables costs ~30 ms, so it is kept and
    its accumulators reset for each source (a parser that failed is replaced)."""
    p = getattr(_local, "parser", None)
    if p is None:
        p = plyara.Plyara(store_raw_sections=False)
        _local.parser = p
    else:
        p.rules.clear()
        p.current_rule.clear()
        p.string_modifiers.clear()
        p.imports.clear()
        p.includes.clear()
        p.terms.clear()
        p.scopes.clear()
        p.tags.clear()
        p.comments.clear()
        p._rule_comments.clear()
        p._stringnames.clear()
        p.lexer = p.lexer.clone()
        p.lexer.lineno = 1
        p.lexer.begin("INITIAL")
        p.lexer.section = ""  # `{` opens a hex string only inside a strings section
    return p


def parse(source: str) -> tuple[list[dict[str, Any]], list[str], int]:
    """The rules, imported modules and number of comments of a YARA source, or a
    DetectionError saying why not."""
    check_size(source, "the YARA source")
    text, comments = prescan(source)
    p = _parser()
    try:
        rules = p.parse_string(text)
        imports = sorted(p.imports)
        includes = list(p.includes)
    except (Exception, RecursionError) as exc:  # noqa: BLE001 - plyara raises assorted errors
        _local.parser = None
        raise DetectionError(f"invalid YARA rule: {one_line(exc)}") from None
    rules = [dict(r) for r in rules]
    if includes:
        raise DetectionError(
            "invalid YARA rule: include statements cannot be shared; put the "
            "included rules in the same source"
        )
    if not rules:
        raise DetectionError("invalid YARA rule: the source holds no rule")
    if len(rules) > MAX_RULES:
        raise DetectionError(f"invalid YARA rule: more than {MAX_RULES} rules in one source")
    if sum(len(r.get("strings", ())) for r in rules) > MAX_STRINGS:
        raise DetectionError(f"invalid YARA rule: more than {MAX_STRINGS} strings in one source")
    for r in rules:
        if len(r.get("condition_terms", ())) > MAX_CONDITION_TERMS:
            raise DetectionError(
                f"invalid YARA rule: the condition of {r['rule_name']} has "
                f"more than {MAX_CONDITION_TERMS} terms"
            )
        _check_string_refs(r)
    return rules, imports, comments


def _check_string_refs(rule: dict[str, Any]) -> None:
    """Each string the condition names exists and each wildcard matches one (plyara does not
    check; YARA refuses the rule)."""
    names = [s["name"][1:] for s in rule.get("strings", ())]
    for term in rule.get("condition_terms", ()):
        if len(term) < 2 or term[0] not in "$#@!" or not _STRING_REF_RE.fullmatch(term[1:]):
            continue
        ref = term[1:]
        found = any(n.startswith(ref[:-1]) for n in names) if ref.endswith("*") else ref in names
        if not found:
            raise DetectionError(
                f"invalid YARA rule: {rule['rule_name']} refers to an undefined string ${ref}"
            )


def rebuild(rules: list[dict[str, Any]], imports: list[str]) -> str:
    """YARA source for parsed rules, imports first, no comments."""
    head = "".join(f'import "{m}"\n' for m in imports)
    body = "\n".join(
        plyara.utils.rebuild_yara_rule(
            {k: v for k, v in r.items() if k not in ("imports", "includes", "comments")}
        )
        for r in rules
    )
    return f"{head}\n{body}" if head else body


def unescape(raw: str) -> str:
    """The text of a YARA string literal's body (undecodable bytes as surrogate escapes)."""
    if "\\" not in raw:
        return raw
    out = bytearray()
    i, end = 0, len(raw)
    while i < end:
        ch = raw[i]
        if ch == "\\" and i + 1 < end:
            nxt = raw[i + 1]
            if nxt == "x" and i + 3 < end + 1:
                try:
                    out.append(int(raw[i + 2 : i + 4], 16))
                    i += 4
                    continue
                except ValueError:
                    pass
            elif nxt in _SIMPLE_ESCAPES:
                out.extend(_SIMPLE_ESCAPES[nxt].encode())
                i += 2
                continue
        out.extend(ch.encode("utf-8", "surrogateescape"))
        i += 1
    return out.decode("utf-8", "surrogateescape")


def escape(text: str) -> str:
    """A YARA string literal's body for text (the inverse of unescape)."""
    out: list[str] = []
    for ch in text:
        code = ord(ch)
        if ch in _ESCAPE_OUT:
            out.append(_ESCAPE_OUT[ch])
        elif 0xDC80 <= code <= 0xDCFF:
            out.append(f"\\x{code - 0xDC00:02x}")
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\x{code:02x}")
        else:
            out.append(ch)
    return "".join(out)


def hex_texts(value: str) -> list[str]:
    """The runs of fixed bytes in a hex string, as text (UTF-16LE, UTF-8 or Latin-1)."""
    runs: list[bytearray] = [bytearray()]
    for m in _HEX_PAIR_RE.finditer(value):
        tok = m.group()
        if len(tok) == 2 and "?" not in tok:
            runs[-1].append(int(tok, 16))
        elif runs[-1]:
            runs.append(bytearray())
    texts = []
    for run in runs:
        if len(run) < 3:
            continue
        data = bytes(run)
        if len(data) % 2 == 0 and not any(data[1::2]):
            texts.append(data[0::2].decode("latin-1"))
            continue
        try:
            texts.append(data.decode("utf-8"))
        except UnicodeDecodeError:
            texts.append("".join(chr(b) if 0x20 <= b < 0x7F else " " for b in data))
    return texts


def regex_parts(value: str) -> tuple[str, str]:
    """A regex string's body and its trailing flags (`/body/is`)."""
    close = value.rfind("/")
    return value[1:close], value[close + 1 :]


def regex_text(body: str) -> str:
    """A regex body read as plain text: escapes of punctuation dropped (`\\.` → `.`)."""
    return re.sub(r"\\([^A-Za-z0-9])", r"\1", body)


def regex_escape(text: str) -> str:
    """A regex body that matches text literally (non-ASCII as UTF-8 byte escapes)."""
    out: list[str] = []
    for ch in text:
        if ch in "\\/^$.|?*+()[]{}":
            out.append("\\" + ch)
        elif 0x20 <= ord(ch) < 0x7F:
            out.append(ch)
        else:
            out.extend(f"\\x{b:02x}" for b in ch.encode("utf-8", "surrogateescape"))
    return "".join(out)
