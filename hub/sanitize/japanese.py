"""Person, organisation and facility names in Japanese (and mixed) running text.

A member's report names its people and sites in prose that no registry covers:
``作成: 田中 健``, ``経理部の鈴木一郎さん``, ``高橋部長``, ``北九州工場``, ``㈱青葉システムズ``.
:func:`find` returns where they are, each with the cue that made it: a name next to an
honorific, title, label or department, a company form or a facility suffix, is *certain*
(redact); a name the morphological analyser alone tags is *probable* (flag to the operator).

The analyser is SudachiPy with ``sudachidict-core`` (split mode C), chosen by measurement:
``python -m bench.japanese --ginza-python <venv with ja-ginza>`` on the 183 labelled names
in 149 sentences and the 71 attacker sentences of tests/hub/japanese_corpus.py, one core of
a shared two-core machine under load (speeds vary two- to threefold between runs):

============================  ======  ===========  ========  =======  ======  ======
analyser alone                recall  attacker FP  spurious  chars/s  load s  RSS MB
============================  ======  ===========  ========  =======  ======  ======
SudachiPy + sudachidict-core  0.913   19/71        7         781,000  0.08    139
fugashi + unidic-lite         0.896   16/71        2         282,000  0.01    84
GiNZA (ja_ginza, spaCy NER)   0.792   7/71         11        560      2.7     460
this module (Sudachi + cues)  1.000   0/71         0         77,000   (0.95)  176
============================  ======  ===========  ========  =======  ======  ======

(An analyser's recall counts a proper-noun or entity span overlapping a labelled name; this
module's counts only names covered entirely. Attacker FP: attacker sentences with any
span. This module's load time includes importing the hub.sanitize package. The corpus was
written alongside the rules, so this module's 1.000 is a floor check, not a held-out score.)

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

import bisect
import dataclasses
import re
import unicodedata

from hub.sanitize.japanese_places import facilities, organizations
from hub.sanitize.japanese_tokens import (
    CUE_WORDS,
    HONORIFICS,
    JAPANESE_RE,
    NOT_NAMES,
    TITLES,
    Collector,
    Finding,
    Kind,
    Tok,
    is_space,
    load,
    loaded,
    tokenize,
)

__all__ = ["JAPANESE_RE", "Finding", "Kind", "find", "load", "loaded"]


_ASCII_WORD = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")

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
_DEPARTMENT_ENDS = ("部", "課", "室", "係", "班", "局", "グループ", "チーム", "部門")
# Team names written in Latin letters that precede a member's staff: "CSIRTの安田".
_LATIN_TEAMS = frozenset("CSIRT SIRT PSIRT CERT SOC NOC IT ISMS".split())
_LIST_SEPARATORS = frozenset("、,，・")


def _nameable(t: Tok) -> bool:
    """A token that can be (part of) a name once a cue says so."""
    if not (t.cjk and t.noun and t.surface not in NOT_NAMES and t.pos[1] != "数詞"):
        return False
    # A katakana word the dictionary does not know is a tool or malware name more often than
    # a person: エモテットさん is not a colleague.
    return (t.person and not t.oov) or t.kanji and (t.proper or t.oov)


def _team(t: Tok) -> bool:
    """A team written in Latin letters, full-width too: CSIRT, ＳＯＣ."""
    return unicodedata.normalize("NFKC", t.surface).upper() in _LATIN_TEAMS


def _staff_name(t: Tok) -> bool:
    """After a department or a site, a kanji name the dictionary knows as a proper noun (a
    surname is often a place name too: 和田, 小島); what follows it is checked elsewhere."""
    if not t.kanji:
        return False  # a katakana name needs an honorific: ラザルス is a group
    return t.person or t.oov or (t.proper and t.pos[2] in ("一般", "地名"))


def _weak(t: Tok) -> bool:
    """A one-kanji common noun that is still a surname when a strong cue follows (東さん)."""
    return (
        t.pos[0] == "名詞"
        and t.pos[1] == "普通名詞"
        and t.kanji
        and t.cjk
        and len(t.surface) == 1
        and t.surface not in NOT_NAMES
        and not t.surface.endswith(_DEPARTMENT_ENDS)
        and t.surface not in CUE_WORDS
    )


def _name_before(toks: list[Tok], i: int, *, weak: bool) -> tuple[int, int] | None:
    """Token range [j, i) of the name ending just before token i, surname and given name."""
    j = i - 1
    if j > 0 and is_space(toks[j]) and toks[j].end - toks[j].start == 1:
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
    if k >= 0 and is_space(toks[k]) and toks[k].end - toks[k].start == 1:
        k -= 1
    if k >= 0 and k < first and toks[k].person and t.person and toks[k].pos[3] == "姓":
        first = k
    elif j - 1 >= 0 and toks[j - 1].person and t.person and toks[j - 1].pos[3] == "姓":
        first = j - 1
    return first, i


def _name_after(toks: list[Tok], i: int, end: int) -> tuple[int, int] | None:
    """Token range of a name starting at token i (before offset end), given name joined."""
    if i >= len(toks) or toks[i].start >= end:
        return None
    t = toks[i]
    if _nameable(t) and t.kanji:  # a katakana name needs an honorific: ラザルス is a group
        last = i + 1
    elif _weak(t) and i + 1 < len(toks) and not toks[i + 1].noun:
        last = i + 1
    elif _weak(t) and i + 2 < len(toks) and is_space(toks[i + 1]) and toks[i + 2].person:
        last = i + 1
    else:
        return None
    k = last
    if k < len(toks) and is_space(toks[k]) and toks[k].end - toks[k].start == 1:
        k += 1
    if k < len(toks) and toks[k].end <= end and toks[k].person and toks[k].pos[3] == "名":
        last = k + 1
    after = toks[last] if last < len(toks) else None
    if after is not None and after.noun and after.surface not in CUE_WORDS and not after.oov:
        if after.pos[1] != "固有名詞" and after.start < end and after.cjk:
            return None
    return i, last


def _label_filler(t: Tok) -> bool:
    """What a label's value may hold besides names: separators, departments, team names."""
    if is_space(t) or t.surface in _LIST_SEPARATORS or _team(t):
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


def _people(text: str, toks: list[Tok], out: Collector) -> None:
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
            if m is not None and m < len(toks) and (is_space(toks[m]) or toks[m].surface == "の"):
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
            t.noun and t.surface.endswith(_DEPARTMENT_ENDS) and t.surface not in NOT_NAMES
        ):
            continue
        if t.surface in ("部", "課", "室", "係", "班") and not (n > 0 and toks[n - 1].noun):
            continue
        m = n + 1
        if m < len(toks) and (
            toks[m].surface in ("の", "・") or (is_space(toks[m]) and "\n" not in toks[m].surface)
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
            if last == n + 1 and last + 1 < len(toks) and is_space(toks[last]) and t.pos[3] == "姓":
                if toks[last + 1].person and toks[last + 1].pos[3] == "名":
                    last += 2
            surname = any(toks[k].pos[3] == "姓" for k in range(n, last))
            if surname and toks[last - 1].end - t.start >= 2:
                out.add(t.start, toks[last - 1].end, "person", False, "ner:PERSON")
            n = last
        else:
            n += 1


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
    toks = tokenize(text)
    out = Collector(text)
    _people(text, toks, out)
    organizations(text, toks, out)
    facilities(toks, out)
    _affiliated(toks, out)
    return [_with_parts(f, toks) for f in _resolve(text, out.items)]


def _with_parts(f: Finding, toks: list[Tok]) -> Finding:
    """f with the name parts of a person: the name tokens inside its span, two or more."""
    if f.kind != "person":
        return f
    first = bisect.bisect_left(toks, f.start, key=lambda t: t.start)
    parts = []
    for t in toks[first:]:
        if t.end > f.end:
            break
        if t.cjk and (t.person or t.proper or t.oov or len(t.surface) >= 2):
            parts.append(t.surface)
    return dataclasses.replace(f, parts=tuple(parts)) if len(parts) > 1 else f


def _affiliated(toks: list[Tok], out: Collector) -> None:
    """A name right after a company or site: 株式会社日高精工の青木, 北九州工場の鈴木."""
    starts = {t.start: n for n, t in enumerate(toks)}
    for f in [f for f in out.items if f.certain and f.kind != "person"]:
        m = starts.get(f.end)
        if m is None or m >= len(toks):
            continue
        if toks[m].surface in ("の", "・") or (is_space(toks[m]) and "\n" not in toks[m].surface):
            m += 1
        span = _name_after(toks, m, len(out.text))
        if span is not None and all(_staff_name(toks[k]) for k in range(*span)):
            s, e = toks[span[0]].start, toks[span[1] - 1].end
            out.add(s, e, "person", True, f"affiliation:{f.cue.partition(':')[2]}")
