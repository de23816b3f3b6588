"""Person, organisation and facility names in Japanese (and mixed) running text.

A member's report names its people and sites in prose that no registry covers:
``作成: 田中 健``, ``経理部の鈴木一郎さん``, ``高橋部長``, ``北九州工場``, ``㈱青葉システムズ``.
:func:`find` returns where they are, each with the cue that made it: a name next to an
honorific, title, label or department, a company form or a facility suffix, is *certain*
(redact); a name the morphological analyser alone tags is *probable* (flag to the operator).

The analyser is SudachiPy with ``sudachidict-core`` (split mode C), chosen by measurement:
``python -m bench.japanese --ginza-python <venv with ja-ginza>`` on the 162 labelled names
in 126 sentences and the 60 attacker sentences of tests/hub/japanese_corpus.py, one core of
a shared two-core machine (speeds vary by half between runs):

============================  ======  ===========  ========  =======  ======  ======
analyser alone                recall  attacker FP  spurious  chars/s  load s  RSS MB
============================  ======  ===========  ========  =======  ======  ======
SudachiPy + sudachidict-core  0.914   13/60        5         644,000  0.09    138
fugashi + unidic-lite         0.901   12/60        0         403,000  0.01    82
GiNZA (ja_ginza, spaCy NER)   0.784   4/60         9         640      2.4     458
this module (Sudachi + cues)  1.000   0/60         0         116,000  (1.06)  175
============================  ======  ===========  ========  =======  ======  ======

(An analyser's recall counts a proper-noun or entity span overlapping a labelled name; this
module's counts only names covered entirely. Attacker FP: attacker sentences with any
span. This module's load time includes importing the hub.sanitize package.)

SudachiPy has the best recall of the three and, with fugashi, the speed; it is preferred
over fugashi because its split mode C keeps the compounds the cue rules need as single
tokens (経理部, 課長代理, 問い合わせ先, 原子力発電所), it normalises full-width and
half-width input itself, and its dictionary is released regularly (unidic-lite packages
an old UniDic). GiNZA's NER has the fewest attacker hits but misses a fifth of the names,
is three orders of magnitude slower and takes half a gigabyte, which the sanitizer's
throughput cannot afford; it runs Sudachi underneath anyway. No analyser alone is good
enough: ラザルス is in the dictionary as a person name, エモテット before さん is guessed
to be one, and 工場/センター are common nouns. Hence the rules: a katakana name needs an
honorific, analyser-only names must hold kanji and a surname and are only probable, and
facilities need a place or proper name before the suffix (データセンター alone is nothing).

The analyser loads lazily, once per process (:func:`load`; a tokenizer per thread over one
shared dictionary); text without kana or kanji never touches it. Lines are analysed in
pieces of at most 4,000 characters, and every rule looks a bounded number of tokens around
a cue, so a 1 MB input costs time linear in its length (bench.japanese measures it).
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

Kind = Literal["person", "organization", "facility"]

# Kana, CJK ideographs, the iteration mark and half-width katakana.
JAPANESE_RE = re.compile(
    r"[\u3005\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f]"
)
_KANJI_RE = re.compile(r"[\u3005\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_CJK_ONLY_RE = re.compile(
    r"[\u3005\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f]+"
)
_ASCII_WORD = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
# The analyser takes bounded input; longer lines are cut at a sentence or word boundary.
_MAX_CHUNK = 4000

HONORIFICS = ("さん", "さま", "様", "氏", "殿", "君")
TITLES = (
    "工場長",
    "所長",
    "部長代理",
    "部長",
    "課長代理",
    "課長",
    "係長",
    "主任",
    "室長",
    "次長",
    "支店長",
    "支社長",
    "センター長",
    "社長",
    "副社長",
    "専務",
    "常務",
    "取締役",
    "会長",
)
_CUE_WORDS = frozenset(HONORIFICS + TITLES)
_PLACE_TITLES = frozenset({"工場長", "所長", "支店長", "支社長", "センター長"})
# "label: name" in signatures, headers and forms.
_LABEL_WORDS = (
    r"作成者?|担当者?|報告者|起票者?|記入者?|氏名|宛先?|"
    r"差出人|送信者|発信者|連絡先|問い?合わ?せ先|確認者?|承認者?|対応者?|依頼者|発見者|"
    r"受信者|申告者|通報者|責任者|回答者|記載者|作業者|立会者|所属長|署名"
)
# "担当: 佐藤", "【作成者】田中", "[報告者] 中村": any name-like value.
_LABEL_RE = re.compile(
    r"(?:(?<![\w])(?:From|To|Cc|Sender)|" + _LABEL_WORDS + r")[ \t\u3000]*[:：][ \t\u3000]*"
    r"|[【\[［](?:" + _LABEL_WORDS + r")[】\]］][ \t\u3000]*"
)
# "担当 佐藤", "担当の佐藤": only a name the dictionary knows as a person's.
_LOOSE_LABEL_RE = re.compile(
    r"(?:(?<![^\s])|(?<=[、。]))(?:" + _LABEL_WORDS + r")(?:[ \t\u3000]+|の)"
)
_LABEL_END_RE = re.compile(r"[(（<＜\[［「『\n。]")
_LABEL_WINDOW = 80
_COMPANY_RE = re.compile(r"株式会社|有限会社|合同会社|合資会社|合名会社|[(（][株有][)）]|㈱|㈲")
FACILITY_SUFFIXES = (
    "工場",
    "事業所",
    "製作所",
    "発電所",
    "変電所",
    "造船所",
    "製鉄所",
    "製油所",
    "支社",
    "支店",
    "営業所",
    "出張所",
    "研究所",
    "センター",
    "ヤード",
    "ライン",
    "プラント",
    "コンビナート",
    "製造所",
    "作業所",
    "事務所",
    "倉庫",
    "本社",
    "本店",
)
_SUFFIXES_BY_LAST: dict[str, tuple[str, ...]] = {
    c: tuple(s for s in FACILITY_SUFFIXES if s[-1] == c) for c in {s[-1] for s in FACILITY_SUFFIXES}
}
_LINE_WORDS = ("製造", "生産", "組立", "組み立て", "加工", "塗装", "成形", "包装", "検査")
_DEPARTMENT_ENDS = ("部", "課", "室", "係", "班", "局", "グループ", "チーム", "部門")
# Team names written in Latin letters that precede a member's staff: "CSIRTの安田".
_LATIN_TEAMS = frozenset("CSIRT SIRT PSIRT CERT SOC NOC IT ISMS".split())
# After an organisation name, the text says the attacker used it: 日本郵便を騙る, …を装った.
_IMPERSONATED_RE = re.compile(r"[をのに]?(?:騙|かた[らりるっ]|装|よそお|名乗|なのっ|なりすま|偽)")
# Nouns before an honorific that are not people: お客様, 皆様, ご担当者様, 業者さん.
_NOT_NAMES = frozenset(
    "客 お客 皆 みな 各位 担当 担当者 関係者 業者 先方 相手 御社 貴社 弊社 当社 本人 方 "
    "未定 不明 なし 同上 全員 社員 職員 利用者 受信者 送信者 差出人 取引先 委託先 部署 "
    "父 母 兄 姉 弟 妹 奥 神 仏 王 自分 誰 皆さん".split()
)
# Places the dictionary files as plain proper nouns: 河北省, 長野駅.
_PLACES = (
    "省",
    "州",
    "県",
    "府",
    "都",
    "道",
    "市",
    "区",
    "町",
    "村",
    "郡",
    "駅",
    "空港",
    "港",
    "線",
    "川",
    "山",
    "橋",
    "島",
    "湾",
)
# The words that end a business name written without its legal form.
_COMPANY_ENDINGS = frozenset(
    "工業 商事 物産 電機 電工 精機 精工 興業 建設 運輸 化成 化学 重工 重工業 通商 商会 技研 "
    "産業 電力 瓦斯 銀行 証券 保険 生命 海運 製薬 製紙 鉄鋼 電子 電気 ホールディングス".split()
)
_LIST_SEPARATORS = frozenset("、,，・")
_ORG_LEAD = frozenset(
    "グループ会社 子会社 関連会社 取引先 委託先 親会社 協力会社 同社 弊社".split()
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


@dataclass(frozen=True, slots=True)
class _Tok:
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
        return _CJK_ONLY_RE.fullmatch(self.surface) is not None

    @property
    def kanji(self) -> bool:
        return _KANJI_RE.search(self.surface) is not None


_local = threading.local()


@cache
def _dictionary() -> Any:
    from sudachipy import Dictionary

    return Dictionary(dict="core")


def _tokenizer() -> Any:
    tok = getattr(_local, "tokenizer", None)
    if tok is None:
        from sudachipy import SplitMode

        tok = _dictionary().tokenizer(mode=SplitMode.C)
        _local.tokenizer = tok
    return tok


def load() -> None:
    """Load the analyser's dictionary now (it is otherwise loaded on the first Japanese text)."""
    _tokenizer()


def loaded() -> bool:
    """True once the analyser's dictionary is in memory in this process."""
    return _dictionary.cache_info().currsize > 0


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


def _tokens(text: str) -> list[_Tok]:
    tok = _tokenizer()
    out: list[_Tok] = []
    for offset, piece in _chunks(text):
        for m in tok.tokenize(piece):
            surface = m.surface()
            if surface:
                out.append(
                    _Tok(
                        offset + m.begin(),
                        offset + m.end(),
                        surface,
                        tuple(m.part_of_speech()),
                        bool(m.is_oov()),
                    )
                )
    return out


def _nameable(t: _Tok) -> bool:
    """A token that can be (part of) a name once a cue says so."""
    if not (t.cjk and t.noun and t.surface not in _NOT_NAMES and t.pos[1] != "数詞"):
        return False
    # A katakana word the dictionary does not know is a tool or malware name more often than
    # a person: エモテットさん is not a colleague.
    return (t.person and not t.oov) or t.kanji and (t.proper or t.oov)


def _team(t: _Tok) -> bool:
    """A team written in Latin letters, full-width too: CSIRT, ＳＯＣ."""
    return unicodedata.normalize("NFKC", t.surface).upper() in _LATIN_TEAMS


def _staff_name(t: _Tok) -> bool:
    """After a department or a site, a kanji name the dictionary knows as a proper noun (a
    surname is often a place name too: 和田, 小島); what follows it is checked elsewhere."""
    if not t.kanji:
        return False  # a katakana name needs an honorific: ラザルス is a group
    return t.person or t.oov or (t.proper and t.pos[2] in ("一般", "地名"))


def _weak(t: _Tok) -> bool:
    """A one-kanji common noun that is still a surname when a strong cue follows (東さん)."""
    return (
        t.pos[0] == "名詞"
        and t.pos[1] == "普通名詞"
        and t.kanji
        and t.cjk
        and len(t.surface) == 1
        and t.surface not in _NOT_NAMES
        and not t.surface.endswith(_DEPARTMENT_ENDS)
        and t.surface not in _CUE_WORDS
    )


def _space(t: _Tok) -> bool:
    return t.pos[0] == "空白" or t.surface.isspace()


def _name_before(toks: list[_Tok], i: int, *, weak: bool) -> tuple[int, int] | None:
    """Token range [j, i) of the name ending just before token i, surname and given name."""
    j = i - 1
    if j > 0 and _space(toks[j]) and toks[j].end - toks[j].start == 1:
        j -= 1  # "荒木 様"
        i -= 1
    if j < 0:
        return None
    t = toks[j]
    if not _nameable(t):
        before = toks[j - 1] if j > 0 else None
        if not (weak and _weak(t)) or (
            before is not None and (before.noun or before.pos[0] == "接頭辞")
        ):
            return None
        return j, i
    first = j
    k = j - 1
    if k >= 0 and _space(toks[k]) and toks[k].end - toks[k].start == 1:
        k -= 1
    if k >= 0 and k < first and toks[k].person and t.person and toks[k].pos[3] == "姓":
        first = k
    elif j - 1 >= 0 and toks[j - 1].person and t.person and toks[j - 1].pos[3] == "姓":
        first = j - 1
    return first, i


def _name_after(toks: list[_Tok], i: int, end: int) -> tuple[int, int] | None:
    """Token range of a name starting at token i (before offset end), given name joined."""
    if i >= len(toks) or toks[i].start >= end:
        return None
    t = toks[i]
    if _nameable(t) and t.kanji:  # a katakana name needs an honorific: ラザルス is a group
        last = i + 1
    elif _weak(t) and i + 1 < len(toks) and not toks[i + 1].noun:
        last = i + 1
    elif _weak(t) and i + 2 < len(toks) and _space(toks[i + 1]) and toks[i + 2].person:
        last = i + 1
    else:
        return None
    k = last
    if k < len(toks) and _space(toks[k]) and toks[k].end - toks[k].start == 1:
        k += 1
    if k < len(toks) and toks[k].end <= end and toks[k].person and toks[k].pos[3] == "名":
        last = k + 1
    after = toks[last] if last < len(toks) else None
    if after is not None and after.noun and after.surface not in _CUE_WORDS and not after.oov:
        if after.pos[1] != "固有名詞" and after.start < end and after.cjk:
            return None
    return i, last


def _label_filler(t: _Tok) -> bool:
    """What a label's value may hold besides names: separators, departments, team names."""
    if _space(t) or t.surface in _LIST_SEPARATORS or _team(t):
        return True
    if t.pos[0] == "名詞" and t.pos[1] == "普通名詞":
        return True  # 経営企画部, 情報 システム 部; a common noun is never taken as the name
    return t.pos[0] in ("接頭辞", "接尾辞")


def _alternatives(words: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))


_HONORIFIC_RE = _alternatives(HONORIFICS)
_TITLE_RE = _alternatives(TITLES)


def _starts_with(text: str, pos: int, words: re.Pattern[str], ends: set[int]) -> str | None:
    """The cue word at pos when it ends where a token ends (部長 in 高橋部長, not in 部長代)."""
    m = words.match(text, pos)
    return m.group() if m is not None and m.end() in ends else None


class _Collector:
    def __init__(self, text: str) -> None:
        self.text = text
        self.items: list[Finding] = []

    def add(self, s: int, e: int, kind: Kind, certain: bool, cue: str) -> None:
        if e > s:
            self.items.append(Finding(s, e, self.text[s:e], kind, certain, cue))


def _people(text: str, toks: list[_Tok], out: _Collector) -> None:
    starts = {t.start: n for n, t in enumerate(toks)}
    ends = {t.end for t in toks}
    for n, t in enumerate(toks):
        cue = _starts_with(text, t.start, _HONORIFIC_RE, ends)
        kind = "honorific"
        if cue is None:
            cue, kind = _starts_with(text, t.start, _TITLE_RE, ends), "title"
        if cue is None:
            continue
        span = _name_before(toks, n, weak=kind == "honorific")
        if span is not None and kind == "title" and cue in _PLACE_TITLES:
            if all(toks[k].pos[2] == "地名" for k in range(*span)):
                span = None  # 大阪支店長: a place's manager, found as a facility
        if span is not None:
            out.add(toks[span[0]].start, toks[span[1] - 1].end, "person", True, f"{kind}:{cue}")
        elif kind == "title":
            # "所長 大西", "部長の山田": a title and then, after a space or の, a name.
            m = starts.get(t.start + len(cue))
            if m is not None and m < len(toks) and (_space(toks[m]) or toks[m].surface == "の"):
                after = _name_after(toks, m + 1, len(text))
                if after is not None and toks[after[0]].person:
                    out.add(
                        toks[after[0]].start, toks[after[1] - 1].end, "person", True, f"title:{cue}"
                    )
    # "山田（経理部）", "高橋(SOC)": a name and then its department in brackets.
    for n, t in enumerate(toks[:-2]):
        if t.surface not in ("(", "（") or n == 0:
            continue
        inner = toks[n + 1]
        closing = n + 2 if toks[n + 2].surface in (")", "）") else None
        if closing is None or not (
            _team(inner)
            or (inner.noun and inner.surface.endswith(_DEPARTMENT_ENDS) and len(inner.surface) > 1)
        ):
            continue
        span = _name_before(toks, n, weak=False)
        if span is not None and all(_staff_name(toks[k]) for k in range(*span)):
            out.add(
                toks[span[0]].start,
                toks[span[1] - 1].end,
                "person",
                True,
                f"department:{inner.surface}",
            )
    strict = list(_LABEL_RE.finditer(text))
    loose = [m for m in _LOOSE_LABEL_RE.finditer(text)]
    labels = sorted(strict + loose, key=lambda m: m.start())
    loose_ids = {id(m) for m in loose}
    for k, lm in enumerate(labels):
        # The value runs to a bracket, the end of the line or the next label, 80 chars at most.
        window = _LABEL_END_RE.search(text, lm.end(), lm.end() + _LABEL_WINDOW)
        stop = window.start() if window else min(len(text), lm.end() + _LABEL_WINDOW)
        if k + 1 < len(labels):
            stop = min(stop, labels[k + 1].start())
        first = starts.get(lm.end())
        if first is None:
            continue
        n = first
        label = lm.group().strip(" \t\u3000:：【】[]［］")
        if id(lm) in loose_ids:
            label = label.removesuffix("の")
            span = _name_after(toks, first, stop)
            if span is not None and toks[span[0]].person:
                out.add(
                    toks[span[0]].start, toks[span[1] - 1].end, "person", True, f"label:{label}"
                )
            continue
        # The value is names, listed with 、 or ・, after a department or team if any.
        while n < len(toks) and toks[n].start < stop:
            span = _name_after(toks, n, stop)
            if span is not None:
                out.add(
                    toks[span[0]].start, toks[span[1] - 1].end, "person", True, f"label:{label}"
                )
                n = span[1]
            elif _label_filler(toks[n]):
                n += 1
            else:
                break
    for n, t in enumerate(toks):
        team = _team(t)
        if not team and not (
            t.noun and t.surface.endswith(_DEPARTMENT_ENDS) and t.surface not in _NOT_NAMES
        ):
            continue
        if t.surface in ("部", "課", "室", "係", "班") and not (n > 0 and toks[n - 1].noun):
            continue
        m = n + 1
        if m < len(toks) and (
            toks[m].surface in ("の", "・") or (_space(toks[m]) and "\n" not in toks[m].surface)
        ):
            m += 1
        dept = t.surface if len(t.surface) > 1 else toks[n - 1].surface + t.surface
        # "情報セキュリティ推進室 北村、堀": the names listed after a department.
        while (span := _name_after(toks, m, len(text))) is not None:
            if not any(_staff_name(toks[k]) for k in range(*span)):
                break
            out.add(
                toks[span[0]].start, toks[span[1] - 1].end, "person", True, f"department:{dept}"
            )
            m = span[1]
            if m + 1 < len(toks) and toks[m].surface in _LIST_SEPARATORS:
                m += 1
            else:
                break
    n = 0
    while n < len(toks):
        t = toks[n]
        if t.person and t.kanji and t.cjk and t.pos[3] in ("姓", "名"):
            last = n + 1
            while last < len(toks) and toks[last].person and toks[last].kanji and last - n < 2:
                last += 1
            if last == n + 1 and last + 1 < len(toks) and _space(toks[last]) and t.pos[3] == "姓":
                if toks[last + 1].person and toks[last + 1].pos[3] == "名":
                    last += 2
            surname = any(toks[k].pos[3] == "姓" for k in range(n, last))
            if surname and toks[last - 1].end - t.start >= 2:
                out.add(t.start, toks[last - 1].end, "person", False, "ner:PERSON")
            n = last
        else:
            n += 1


def _run_back(toks: list[_Tok], i: int, limit: int = 6) -> int:
    """First token of the run of name-like tokens that ends just before token i."""
    j = i
    while j > 0 and i - j < limit:
        t = toks[j - 1]
        if not (t.noun or t.surface in "・&＆") or _space(t) or t.surface in _NOT_NAMES:
            break
        if t.surface in _CUE_WORDS or _COMPANY_RE.fullmatch(t.surface):
            break
        j -= 1
    while j < i and toks[j].surface in _ORG_LEAD:
        j += 1
    return j


def _organizations(text: str, toks: list[_Tok], out: _Collector) -> None:
    starts = {t.start: n for n, t in enumerate(toks)}
    ends = {t.end: n for n, t in enumerate(toks)}
    for m in _COMPANY_RE.finditer(text):
        form = m.group()
        i = ends.get(m.start())
        back = _run_back(toks, i + 1) if i is not None else None
        if i is not None and back is not None and back <= i and toks[back].start < m.start():
            out.add(toks[back].start, m.end(), "organization", True, f"company:{form}")
            continue
        n = starts.get(m.end())
        if n is None:
            continue
        last = n
        while last < len(toks) and last - n < 6:
            t = toks[last]
            joiner = t.surface in "・&＆" and last + 1 < len(toks) and toks[last + 1].noun
            if not (t.noun or joiner) or _space(t) or t.surface in _CUE_WORDS:
                break
            if t.surface in _NOT_NAMES:
                break
            if t.surface.endswith(FACILITY_SUFFIXES) and last > n:
                break
            last += 1
        if last > n:
            out.add(m.start(), toks[last - 1].end, "organization", True, f"company:{form}")
    for n, t in enumerate(toks):
        if t.proper and t.pos[2] == "一般" and t.kanji and t.cjk and len(t.surface) >= 2:
            if not _IMPERSONATED_RE.match(text, t.end) and not t.surface.endswith(_PLACES):
                out.add(t.start, t.end, "organization", False, "ner:ORG")
        if t.surface in _COMPANY_ENDINGS and n > 0 and not _IMPERSONATED_RE.match(text, t.end):
            # 田中工業, 雲取ホールディングス: a business name without its legal form.
            first = _run_back(toks, n, limit=4)
            prefix = toks[first:n]
            if t.surface == "ホールディングス" and prefix:
                out.add(prefix[0].start, t.end, "organization", True, "company:ホールディングス")
            elif prefix and prefix[-1].kanji and (prefix[-1].proper or prefix[-1].oov):
                out.add(prefix[0].start, t.end, "organization", False, f"company:{t.surface}")


def _facilities(toks: list[_Tok], out: _Collector) -> None:
    for n, t in enumerate(toks):
        # 大阪支店長 names the Osaka branch (its manager is the person, unnamed here).
        head = t.surface[:-1] if t.surface.endswith("長") and len(t.surface) > 2 else t.surface
        suffix = next((s for s in _SUFFIXES_BY_LAST.get(head[-1], ()) if head.endswith(s)), None)
        if suffix is None or not t.noun:
            continue
        titled = head != t.surface or (n + 1 < len(toks) and toks[n + 1].surface == "長")
        if suffix == "ライン" and t.surface != suffix:
            continue  # オンライン, ガイドライン
        first = _run_back(toks, n, limit=8)
        prefix = toks[first:n]
        named = any(
            p.proper or p.oov or (p.surface.isascii() and p.surface.isalnum())
            for p in prefix
            if p.pos[1] != "数詞"
        )
        if suffix == "ライン":
            words = "".join(p.surface for p in prefix)
            if not any(w in words for w in (*_LINE_WORDS, *FACILITY_SUFFIXES)):
                continue
            if not named:
                lead = next((k for k, p in enumerate(prefix) if p.surface == "第"), None)
                if lead is not None:
                    out.add(prefix[lead].start, t.end, "facility", False, "suffix:ライン")
                continue
        if titled:
            places = [p for p in prefix if p.proper]
            if places and all(p.pos[2] == "地名" for p in places):
                end = t.end - (len(t.surface) - len(head))
                out.add(prefix[0].start, end, "facility", True, f"suffix:{suffix}")
        elif named and prefix:
            out.add(prefix[0].start, t.end, "facility", True, f"suffix:{suffix}")
        elif t.proper and len(t.surface) >= len(suffix) + 2:
            out.add(t.start, t.end, "facility", False, f"suffix:{suffix}")


_RANK = {"person": 0, "facility": 1, "organization": 2}


def _resolve(text: str, items: list[Finding]) -> list[Finding]:
    """Non-overlapping findings in text order; overlapping ones become their union."""
    items.sort(key=lambda f: (f.start, -f.end))
    # [start, end, the finding whose kind and cue the union keeps, any certain]
    merged: list[tuple[int, int, Finding, bool]] = []
    for f in items:
        if merged and f.start < merged[-1][1]:
            s, e, keep, certain = merged[-1]
            if (f.certain and not keep.certain) or (
                f.certain == keep.certain
                and (f.end - f.start, -_RANK[f.kind]) > (keep.end - keep.start, -_RANK[keep.kind])
            ):
                keep = f
            merged[-1] = (s, max(e, f.end), keep, certain or f.certain)
        else:
            merged.append((f.start, f.end, f, f.certain))
    out = []
    for s, e, keep, certain in merged:
        inside_word = (s > 0 and text[s - 1] in _ASCII_WORD and text[s] in _ASCII_WORD) or (
            e < len(text) and text[e] in _ASCII_WORD and text[e - 1] in _ASCII_WORD
        )
        body = text[s:e].strip()
        if inside_word or not body or (len(body) < 2 and not (certain and keep.kind == "person")):
            continue
        out.append(Finding(s, e, text[s:e], keep.kind, certain, keep.cue))
    return out


def find(text: str) -> list[Finding]:
    """Every person, organisation and facility name in text, non-overlapping and sorted."""
    if not JAPANESE_RE.search(text):
        return []
    toks = _tokens(text)
    out = _Collector(text)
    _people(text, toks, out)
    _organizations(text, toks, out)
    _facilities(toks, out)
    _affiliated(toks, out)
    return _resolve(text, out.items)


def _affiliated(toks: list[_Tok], out: _Collector) -> None:
    """A name right after a company or site: 株式会社日高精工の青木, 北九州工場の鈴木."""
    starts = {t.start: n for n, t in enumerate(toks)}
    for f in [f for f in out.items if f.certain and f.kind != "person"]:
        m = starts.get(f.end)
        if m is None or m >= len(toks):
            continue
        if toks[m].surface in ("の", "・") or (_space(toks[m]) and "\n" not in toks[m].surface):
            m += 1
        span = _name_after(toks, m, len(out.text))
        if span is not None and all(_staff_name(toks[k]) for k in range(*span)):
            s, e = toks[span[0]].start, toks[span[1] - 1].end
            out.add(s, e, "person", True, f"affiliation:{f.cue.partition(':')[2]}")
