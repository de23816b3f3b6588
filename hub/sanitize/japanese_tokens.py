"""The Japanese analyser (SudachiPy, core dictionary) and the tokens it yields.

The dictionary loads lazily, once per process; each thread gets its own tokenizer over it.
Only the lines that hold kana or kanji are analysed, in pieces of bounded length.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

# Kana, CJK ideographs, the iteration mark and half-width katakana.
JAPANESE_RE = re.compile(
    r"[\u3005\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f]"
)
KANJI_RE = re.compile(r"[\u3005\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
CJK_ONLY_RE = re.compile(
    r"[\u3005\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f]+"
)
# The analyser takes bounded input; longer lines are cut at a sentence or word boundary.
_MAX_CHUNK = 4000

Kind = Literal["person", "organization", "facility"]

HONORIFICS = ("さん", "さま", "様", "氏", "殿", "君")
TITLES = tuple(
    "工場長 所長 部長代理 部長 課長代理 課長 係長 主任 室長 次長 支店長 支社長 センター長 "
    "社長 副社長 専務 常務 取締役 会長 船長 機関長 一等航海士 二等航海士 航海士 機関士 局長 "
    "本部長 事業部長 グループ長 チーム長 班長 主査 主幹 技師長 工事長 所員".split()
)
CUE_WORDS = frozenset(HONORIFICS + TITLES)
# Nouns before an honorific that are not people: お客様, 皆様, ご担当者様, 業者さん.
NOT_NAMES = frozenset(
    "客 お客 皆 みな 各位 担当 担当者 関係者 業者 先方 相手 御社 貴社 弊社 当社 本人 方 "
    "未定 不明 なし 同上 全員 社員 職員 利用者 受信者 送信者 差出人 取引先 委託先 部署 "
    "父 母 兄 姉 弟 妹 奥 神 仏 王 自分 誰 皆さん".split()
)


@dataclass(frozen=True, slots=True)
class Finding:
    """One name in a text: where, what kind, how sure, and the cue that made it."""

    start: int
    end: int
    text: str
    kind: Kind
    certain: bool
    cue: str
    # A person's name as the dictionary splits it (鈴木一郎 → 鈴木, 一郎), when it has more
    # than one part: each part reappears alone later in the text ("鈴木から再度連絡").
    parts: tuple[str, ...] = ()


class Collector:
    """The findings of the rules for one text, in the order found."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.items: list[Finding] = []

    def add(self, s: int, e: int, kind: Kind, certain: bool, cue: str) -> None:
        if e > s:
            self.items.append(Finding(s, e, self.text[s:e], kind, certain, cue))


@dataclass(frozen=True, slots=True)
class Tok:
    start: int
    end: int
    surface: str
    pos: tuple[str, ...]
    oov: bool

    @property
    def noun(self) -> bool:
        return self.pos[0] == "名詞" or (
            self.pos[0] in ("接頭辞", "接尾辞") and self.pos[1] != "形容詞的"
        )

    @property
    def proper(self) -> bool:
        return self.pos[0] == "名詞" and self.pos[1] == "固有名詞"

    @property
    def person(self) -> bool:
        return self.proper and self.pos[2] == "人名"

    @property
    def cjk(self) -> bool:
        return CJK_ONLY_RE.fullmatch(self.surface) is not None

    @property
    def kanji(self) -> bool:
        return KANJI_RE.search(self.surface) is not None


_local = threading.local()


@cache
def dictionary() -> Any:
    from sudachipy import Dictionary

    return Dictionary(dict="core")


def _tokenizer() -> Any:
    tok = getattr(_local, "tokenizer", None)
    if tok is None:
        from sudachipy import SplitMode

        tok = dictionary().tokenizer(mode=SplitMode.C)
        _local.tokenizer = tok
    return tok


def load() -> None:
    """Load the analyser's dictionary now (it is otherwise loaded on the first Japanese text)."""
    _tokenizer()


def loaded() -> bool:
    """True once the analyser's dictionary is in memory in this process."""
    return dictionary.cache_info().currsize > 0


def _chunks(text: str) -> Iterator[tuple[int, str]]:
    """(offset, piece) for the lines of text that hold Japanese, cut to the analyser's size."""
    pos = 0
    for line in text.splitlines(keepends=True):
        start, pos = pos, pos + len(line)
        if not JAPANESE_RE.search(line):
            continue
        while len(line) > _MAX_CHUNK:
            cut = max(line.rfind(c, 0, _MAX_CHUNK) for c in "。、 \t\u3000")
            cut = cut + 1 if cut > _MAX_CHUNK // 2 else _MAX_CHUNK
            yield start, line[:cut]
            start, line = start + cut, line[cut:]
        yield start, line


def tokenize(text: str) -> list[Tok]:
    tok = _tokenizer()
    out: list[Tok] = []
    for offset, piece in _chunks(text):
        for m in tok.tokenize(piece):
            surface = m.surface()
            if surface:
                out.append(
                    Tok(
                        offset + m.begin(),
                        offset + m.end(),
                        surface,
                        tuple(m.part_of_speech()),
                        bool(m.is_oov()),
                    )
                )
    return out


def is_space(t: Tok) -> bool:
    return t.pos[0] == "空白" or t.surface.isspace()
