"""A linear pre-pass over YARA source: drops comments, collapses blank runs, bounds nesting.

plyara's lexer backtracks exponentially on a block comment full of CRLF line ends and
polynomially on long blank runs inside hex jumps; after this pass it sees neither. In YARA a
`/` only opens a comment or a regular expression (division is `\\`), so literals can be told
apart without a grammar.
"""

from __future__ import annotations

import re

from hub.sanitize.detection.common import MAX_NESTING, DetectionError

_BLANK_RE = re.compile(r"[ \t\r\n\f\v]+")
_PLAIN_RE = re.compile(r'[^ \t\r\n\f\v"/(){}\[\]]+')
_PUNCT_RE = re.compile(r"[^A-Za-z0-9_]")
MAX_DIGITS = 40
_LONG_DIGITS_RE = re.compile(f"[0-9]{{{MAX_DIGITS + 1}}}")
MAX_LEXEMES = 40_000


def _line(source: str, pos: int) -> int:
    return source.count("\n", 0, pos) + 1


def _literal_end(source: str, start: int, quote: str, what: str) -> int:
    """Offset just past the literal opened at start (a `"` string or a `/` regex)."""
    i, end = start + 1, len(source)
    while i < end:
        ch = source[i]
        if ch == "\\":
            i += 2
            continue
        if ch == quote:
            return i + 1
        if ch == "\n" or ch == "\r":
            raise DetectionError(
                f"invalid YARA rule: line break inside a {what} on line {_line(source, start)}"
            )
        i += 1
    raise DetectionError(f"invalid YARA rule: unterminated {what} on line {_line(source, start)}")


def prescan(source: str) -> tuple[str, int]:
    """source without comments (and how many there were), every blank run one space or one
    line end, nesting and the number of lexemes bounded."""
    out: list[str] = []
    i, end, depth, braces, comments, lexemes = 0, len(source), 0, 0, 0, 0
    while i < end:
        ch = source[i]
        if (m := _BLANK_RE.match(source, i)) is not None:
            out.append("\n" if "\n" in m.group() or "\r" in m.group() else " ")
            i = m.end()
            continue
        lexemes += 1
        if ch == '"':
            j = _literal_end(source, i, '"', "text string")
            out.append(source[i:j])
            i = j
        elif ch == "/" and source.startswith("//", i):
            j = source.find("\n", i)
            i = end if j < 0 else j
            comments += 1
        elif ch == "/" and source.startswith("/*", i):
            j = source.find("*/", i + 2)
            if j < 0:
                raise DetectionError(
                    f"invalid YARA rule: unterminated comment on line {_line(source, i)}"
                )
            out.append(" ")
            i = j + 2
            comments += 1
        elif ch == "/":
            j = _literal_end(source, i, "/", "regular expression")
            out.append(source[i:j])
            i = j
        elif (m := _PLAIN_RE.match(source, i)) is not None:
            run = m.group()
            if braces < 2:
                # Outside hex strings plyara lexes each punctuation mark and each number
                # apart, and its size-literal rule rescans a digit run for every number in it.
                lexemes += len(_PUNCT_RE.findall(run))
                if _LONG_DIGITS_RE.search(run) is not None:
                    raise DetectionError(
                        "invalid YARA rule: a number longer than "
                        f"{MAX_DIGITS} digits on line {_line(source, i)}"
                    )
            out.append(run)
            i = m.end()
        else:
            if ch in "({[":
                depth += 1
                braces += ch == "{"
                if depth > MAX_NESTING:
                    raise DetectionError(
                        f"invalid YARA rule: nested deeper than {MAX_NESTING} "
                        f"levels on line {_line(source, i)}"
                    )
            elif ch in ")}]":
                depth = max(0, depth - 1)
                braces = max(0, braces - (ch == "}"))
            out.append(ch)
            i += 1
        if lexemes > MAX_LEXEMES:
            raise DetectionError(f"invalid YARA rule: more than {MAX_LEXEMES} terms in one source")
    return "".join(out), comments
