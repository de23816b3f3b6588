"""Company and facility names in Japanese text: legal forms (株式会社, ㈱), business-name
endings (…工業, …ホールディングス) and site suffixes (…工場, …事業所, …第3製造ライン)."""

from __future__ import annotations

import re

from hub.sanitize.japanese_tokens import CUE_WORDS, NOT_NAMES, Collector, Tok, is_space

_COMPANY_RE = re.compile(r"株式会社|有限会社|合同会社|合資会社|合名会社|[(（][株有][)）]|㈱|㈲")
FACILITY_SUFFIXES = tuple(
    "工場 事業所 製作所 発電所 変電所 造船所 製鉄所 製油所 支社 支店 営業所 出張所 研究所 "
    "センター ヤード ライン プラント コンビナート 製造所 作業所 事務所 倉庫 本社 本店".split()
)
_SUFFIXES_BY_LAST: dict[str, tuple[str, ...]] = {
    c: tuple(s for s in FACILITY_SUFFIXES if s[-1] == c) for c in {s[-1] for s in FACILITY_SUFFIXES}
}
_LINE_WORDS = ("製造", "生産", "組立", "組み立て", "加工", "塗装", "成形", "包装", "検査")
# After an organisation name, the text says the attacker used it: 日本郵便を騙る, …を装った.
_IMPERSONATED_RE = re.compile(r"[をのに]?(?:騙|かた[らりるっ]|装|よそお|名乗|なのっ|なりすま|偽)")
# Places the dictionary files as plain proper nouns: 河北省, 長野駅.
_PLACES = tuple("省 州 県 府 都 道 市 区 町 村 郡 駅 空港 港 線 川 山 橋 島 湾".split())
# The words that end a business name written without its legal form.
_COMPANY_ENDINGS = frozenset(
    "工業 商事 物産 電機 電工 精機 精工 興業 建設 運輸 化成 化学 重工 重工業 通商 商会 技研 "
    "産業 電力 瓦斯 銀行 証券 保険 生命 海運 製薬 製紙 鉄鋼 電子 電気 ホールディングス".split()
)
_ORG_LEAD = frozenset(
    "グループ会社 子会社 関連会社 取引先 委託先 親会社 協力会社 同社 弊社".split()
)


def run_back(toks: list[Tok], i: int, limit: int = 6) -> int:
    """First token of the run of name-like tokens that ends just before token i."""
    j = i
    while j > 0 and i - j < limit:
        t = toks[j - 1]
        if not (t.noun or t.surface in "・&＆") or is_space(t) or t.surface in NOT_NAMES:
            break
        if t.surface in CUE_WORDS or _COMPANY_RE.fullmatch(t.surface):
            break
        j -= 1
    while j < i and toks[j].surface in _ORG_LEAD:
        j += 1
    return j


def organizations(text: str, toks: list[Tok], out: Collector) -> None:
    starts = {t.start: n for n, t in enumerate(toks)}
    ends = {t.end: n for n, t in enumerate(toks)}
    for m in _COMPANY_RE.finditer(text):
        form = m.group()
        i = ends.get(m.start())
        back = run_back(toks, i + 1) if i is not None else None
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
            if not (t.noun or joiner) or is_space(t) or t.surface in CUE_WORDS:
                break
            if t.surface in NOT_NAMES:
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
            first = run_back(toks, n, limit=4)
            prefix = toks[first:n]
            if t.surface == "ホールディングス" and prefix:
                out.add(prefix[0].start, t.end, "organization", True, "company:ホールディングス")
            elif prefix and prefix[-1].kanji and (prefix[-1].proper or prefix[-1].oov):
                out.add(prefix[0].start, t.end, "organization", False, f"company:{t.surface}")


def facilities(toks: list[Tok], out: Collector) -> None:
    for n, t in enumerate(toks):
        # 大阪支店長 names the Osaka branch (its manager is the person, unnamed here).
        head = t.surface[:-1] if t.surface.endswith("長") and len(t.surface) > 2 else t.surface
        suffix = next((s for s in _SUFFIXES_BY_LAST.get(head[-1], ()) if head.endswith(s)), None)
        if suffix is None or not t.noun:
            continue
        titled = head != t.surface or (n + 1 < len(toks) and toks[n + 1].surface == "長")
        if suffix == "ライン" and t.surface != suffix:
            continue  # オンライン, ガイドライン
        first = run_back(toks, n, limit=8)
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
