"""Victim vocabulary nobody registered, learned from the report itself.

A member registers its names, domains and networks; its report also names its plants,
works and offices ("Mizushima Works", "水島製作所"), the towns and streets of the locations
its identities point at, its case numbers (``KHI-CSIRT-2024-0113``, ``INC-20240311``), its
CSIRT and SOC teams, the shares and archives of its data and its internal projects. This
module learns those values from the submission so that every free-text channel of every
object can be cleared of them (`TextRedactor.learn`).

What is the victim's is decided by where a value sits: facility, team and project names
are the reporter's own vocabulary (attackers do not have plants or CSIRTs); towns and
streets are learned only from `location` objects the victim side points at (located-at
from a member identity, `where_sighted_refs`, a precise location an attack targets);
archive names only next to words that say the member's data was packed or taken. Learned
values are whole tokens of a minimum length counted by script (two kanji make a Japanese
surname or town, two Latin letters make nothing), never a common English word, and are
never matched inside an attacker's dotted token (domain, URL, file name) or a hash.

Every expression here is linear: suffix words are found first and the name before them is
read backwards over a bounded window.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from wordfreq import zipf_frequency

from hub.sanitize import matchers, people
from hub.sanitize.matchers import Matcher
from hub.sanitize.shapes import (
    ADDRESS_SHAPES,
    ARCHIVE_EXT,
    ATTACKER_TYPES,
    CJK_RE,
    COMMON_ZIPF,
    DATA_CUES,
    EN_GENERIC,
    EN_NAME_BEFORE,
    EN_PROJECT,
    EN_SITE_SUFFIX,
    EN_WEAK_SITE,
    FILE_BEFORE,
    FILE_TOKEN,
    GENERIC_LONGEST_FIRST,
    HOST_CUE,
    HULL,
    ID_CUED,
    ID_SHAPES,
    IMO_CUE,
    JA_GENERIC_PREFIX,
    JA_PLAN_BEFORE,
    JA_PLAN_GENERIC,
    JA_PLANT,
    JA_PROJECT,
    JA_PROJECT_BEFORE,
    JA_SITE_SUFFIX,
    JA_UNIT,
    KATAKANA_LINE_WORDS,
    NAME_AFTER,
    PUBLIC_ID_PREFIX,
    PUBLIC_TEAMS,
    SELF_DESCRIPTIONS,
    SHIP_NAME,
    SKIP_KEYS,
    STAGING_DIR,
    TEAM_PREFIX_BEFORE,
    TEAM_SUFFIX,
    VESSEL_BEFORE,
    opaque_name,
)
from hub.sanitize.text import TextRedactor


@dataclass
class Vocabulary:
    """What the submission revealed about the victim, by rule."""

    values: dict[str, set[str]] = field(default_factory=dict)

    # Names of the attacker's objects (malware, tools, actors): never learned as the victim's.
    attacker: frozenset[str] = frozenset()

    def add(self, rule: str, value: str, *, common_ok: bool = False) -> None:
        """Learn value under rule when it is long and distinctive enough (common words are
        accepted from a structured victim field, `common_ok`)."""
        value = value.strip(" \t\r\n,.;:()[]「」『』")
        if matchers.fold(value) in self.attacker:
            return
        if acceptable(value) or (common_ok and _long_enough(value)) or _acronym(rule, value):
            self.values.setdefault(rule, set()).add(value)

    def matchers(self) -> list[Matcher]:
        """One compiled matcher per learned rule."""
        return [matchers.phrases(rule, sorted(vals)) for rule, vals in sorted(self.values.items())]


# A name before a weak site word may be a little more common than a learned word ("Hull").
WEAK_SITE_ZIPF = 4.5


def _long_enough(value: str) -> bool:
    cjk = len(CJK_RE.findall(value))
    return cjk >= 2 if cjk else sum(c.isalnum() for c in value) >= 4


def _acronym(rule: str, value: str) -> bool:
    """A member's short name in its team name ("KHI" of "KHI-CSIRT"): three capitals."""
    return rule == "learned-name" and len(value) == 3 and value.isupper() and value.isalpha()


def acceptable(value: str) -> bool:
    """Long enough for its script and not a common word: two kanji yes, two letters no."""
    if not value or len(value) > 120:
        return False
    cjk = len(CJK_RE.findall(value))
    if cjk:
        return cjk >= 2 or len(value) >= 4
    letters = [w for w in re.split(r"[^A-Za-z0-9]+", value) if w]
    if not letters or sum(len(w) for w in letters) < 4:
        return False
    if len(letters) == 1:
        word = letters[0].lower()
        return len(word) >= 4 and not word.isdigit() and zipf_frequency(word, "en") < COMMON_ZIPF
    return True


def _distinctive(words: Sequence[str]) -> list[str]:
    """Words that are neither generic nor common English ("Mizushima", not "Plant")."""
    return [
        w
        for w in words
        if w.lower() not in EN_GENERIC
        and len(w) >= 4
        and zipf_frequency(w.lower(), "en") < COMMON_ZIPF
    ]


def _sites(text: str, vocab: Vocabulary, names: Matcher) -> None:
    for m in EN_SITE_SUFFIX.finditer(text):
        window = text[max(0, m.start() - 160) : m.start()]
        before = EN_NAME_BEFORE.search(window)
        if not before:
            continue
        words = before.group(1).split()
        while words and words[0].lower() in EN_GENERIC:
            words.pop(0)
        # "Kumotori Heavy Industries Mizushima Works": the site starts after the member.
        phrase = " ".join(words)
        cut = max((e for _, e in names.spans(matchers.fold(phrase))), default=0)
        phrase = phrase[cut:].strip() if cut else phrase
        words = phrase.split()
        while words and words[0].lower() in EN_GENERIC:
            words.pop(0)
        if not words:
            continue
        vocab.add("learned-site", " ".join(words) + " " + m.group())
        for word in _distinctive(words):
            vocab.add("learned-place", word)
    for m in EN_WEAK_SITE.finditer(text):
        if EN_SITE_SUFFIX.fullmatch(m.group()):
            continue
        before = EN_NAME_BEFORE.search(text[max(0, m.start() - 60) : m.start()])
        if not before:
            continue
        words = before.group(1).split()[-2:]
        while words and words[0].lower() in EN_GENERIC:
            words.pop(0)
        first = words[0].lower() if words else ""
        rare = first and zipf_frequency(first, "en") < WEAK_SITE_ZIPF
        if rare and len(first) >= 4 and first not in EN_GENERIC:
            vocab.add("learned-site", " ".join(words) + " " + m.group())
    seen: set[str] = set()
    for m in JA_SITE_SUFFIX.finditer(text):
        start = m.start()
        while start > 0 and m.start() - start < 12 and _JA_NAME_CHAR.match(text[start - 1]):
            start -= 1
        prefix = text[start : m.start()].lstrip("0123456789-")
        if prefix + m.group() in seen or not CJK_RE.search(prefix + m.group()):
            continue
        seen.add(prefix + m.group())
        unit = m.group() in JA_UNIT
        if m.group() == "ライン" and prefix.endswith(KATAKANA_LINE_WORDS):
            continue
        folded = matchers.fold(prefix)
        if len(folded) == len(prefix):
            cut = max((e for _, e in names.spans(folded)), default=0)
            prefix = prefix[cut:] if cut else prefix
        if unit:
            # "知多緑浜工場設備保全課": the unit is also written without its site.
            inner = list(JA_SITE_SUFFIX.finditer(prefix))
            if inner and len(prefix) - inner[-1].end() >= 2:
                vocab.add("learned-site", prefix[inner[-1].end() :] + m.group())
        else:
            for generic in GENERIC_LONGEST_FIRST:
                if prefix.startswith(generic) and len(prefix) > len(generic):
                    prefix = prefix[len(generic) :]
        if len(prefix) < 2 or prefix in JA_GENERIC_PREFIX:
            continue
        vocab.add("learned-site", prefix + m.group())
        if m.group() in JA_PLANT:
            vocab.add("learned-place", prefix)


# A Japanese facility name: kanji and kana, and the Latin capitals and digits of
# "知多LNG基地" or "第7ダイカストライン".
_JA_NAME_CHAR = re.compile("[\u3005\u30a0-\u30ff\u3400-\u9fff\uf900-\ufaffA-Z0-9０-９]")


def _vessels(text: str, vocab: Vocabulary) -> None:
    """The member's ships: "第八玄海丸", and the name written before "(IMO 1234567)"."""
    for m in SHIP_NAME.finditer(text):
        vocab.add("learned-site", m.group())
    for m in IMO_CUE.finditer(text):
        window = text[max(0, m.start() - 24) : m.start()]
        name = VESSEL_BEFORE.search(window)
        if name:
            vocab.add("learned-site", _SHIP_KIND.sub("", name.group().strip()))


_SHIP_KIND = re.compile(
    "^(?:本船|船舶|運搬船|貨物船|自動車船|コンテナ船|タンカー|客船|フェリー|漁船|作業船|"
    "the vessel |vessel |the ship |ship |MV |M/V )"
)


def _hulls(text: str, vocab: Vocabulary) -> None:
    """Hull numbers of the member's ships in build: the number is the victim's project."""
    for rx in HULL:
        for m in rx.finditer(text):
            number = m.group(1)
            vocab.add("learned-project", m.group())
            vocab.add("learned-project", number, common_ok=True)
            digits = number.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ-")
            if len(digits) >= 4:
                vocab.add("learned-project", digits, common_ok=True)


def _case_ids(text: str, vocab: Vocabulary) -> None:
    """An internal id a cue word introduces ("case KG-SEC-26-117", "run SBX-88123")."""
    for rx in ID_CUED:
        for m in rx.finditer(text):
            value = m.group(1)
            if any(c.isdigit() for c in value) and not PUBLIC_ID_PREFIX.match(value):
                vocab.add("case-id", value)


def _adjacent(text: str, vocab: Vocabulary, names: Matcher) -> None:
    """Names written right after a member's name: "Kumotori Heavy Industries Tamashima"
    (a division, a site without its suffix), learned when distinctive."""
    folded = matchers.fold(text)
    if len(folded) != len(text):
        return
    for _, end in names.spans(folded):
        m = NAME_AFTER.match(text, end)
        if m:
            words = _distinctive(m.group(1).split())
            if words and words == m.group(1).split()[: len(words)]:
                vocab.add("learned-name", " ".join(words))


def _addresses(text: str, vocab: Vocabulary) -> None:
    """Japanese postal addresses ("岡山県倉敷市水島海岸通1-1", "〒712-8501") and
    Japanese-style romanised ones ("1-1 Mizushima-Kaigandori, Kurashiki-shi")."""
    for rx in ADDRESS_SHAPES:
        for m in rx.finditer(text):
            vocab.add("learned-place", m.group(), common_ok=True)
            if m.group().isascii() and "," in m.group():
                # Each part is written on its own too: the town, the postal code.
                for part in m.group().split(","):
                    part = part.strip()
                    town, _, code = part.rpartition(" ")
                    if code[:3].isdigit() and "-" in code and town:
                        vocab.add("learned-place", code, common_ok=True)
                        part = town
                    vocab.add("learned-place", part, common_ok=True)


def _teams(text: str, vocab: Vocabulary) -> None:
    for m in TEAM_SUFFIX.finditer(text):
        before = TEAM_PREFIX_BEFORE.search(text[max(0, m.start() - 24) : m.start()])
        if not before:
            continue
        prefix = before.group(1) or before.group(2)
        if prefix.lower() in PUBLIC_TEAMS or prefix.lower() in EN_GENERIC:
            continue
        vocab.add("team-name", text[m.start() - len(before.group()) : m.end()])
        if before.group(1) and not prefix.isdigit():
            # "KHI-CSIRT": the prefix is the member's own short name.
            vocab.add("learned-name", prefix)
        elif before.group(2):
            vocab.add("learned-name", prefix)


def _hosts(text: str, vocab: Vocabulary) -> None:
    for m in HOST_CUE.finditer(text):
        if any(c.isdigit() for c in m.group(1)):
            vocab.add("learned-host", m.group(1))


def _projects(text: str, vocab: Vocabulary) -> None:
    for m in EN_PROJECT.finditer(text):
        vocab.add("learned-project", m.group())
        name = m.group(1)
        if name.lower() not in EN_GENERIC and zipf_frequency(name.lower(), "en") < 3.0:
            vocab.add("learned-project", name)
    for m in JA_PROJECT.finditer(text):
        vocab.add("learned-project", m.group(1))
    for m in re.finditer("プロジェクト", text):
        before = JA_PROJECT_BEFORE.search(text[max(0, m.start() - 17) : m.start()])
        if before:
            vocab.add("learned-project", before.group(1))
        elif m.start() >= 1 and _KANJI.match(text[m.start() - 1]):
            # "紅プロジェクト": a one-kanji name is learned with its word, never alone.
            if m.start() == 1 or not CJK_RE.match(text[m.start() - 2]):
                vocab.add("learned-project", text[m.start() - 1 : m.end()])
    for m in re.finditer("計画", text):
        plan = JA_PLAN_BEFORE.search(text[max(0, m.start() - 20) : m.start()])
        if plan and plan.group(1) not in JA_PLAN_GENERIC and not plan.group(1).isdigit():
            vocab.add("learned-project", plan.group(1) + "計画")


_KANJI = re.compile("[\u3400-\u9fff\uf900-\ufaff]")


def _archives(text: str, vocab: Vocabulary, attacker_files: set[str]) -> None:
    for m in ARCHIVE_EXT.finditer(text):
        before = FILE_BEFORE.search(text[max(0, m.start() - 100) : m.start()])
        if not before:
            continue
        stem = before.group(1).split(" ")[-1].lstrip("([")
        name = stem + m.group()
        start = m.start() - len(stem)
        # The cue must come shortly before this name, with no other file name between, or
        # right after it ("…2026.7z を作成して持ち出し", "… was exfiltrated").
        window = text[max(0, start - 80) : start]
        cues = list(DATA_CUES.finditer(window))
        after = text[m.end() : m.end() + 30]
        cue_after = DATA_CUES.search(after)
        if cue_after and FILE_TOKEN.search(after[: cue_after.start()]):
            cue_after = None
        if not stem or name.lower() in attacker_files or not (cues or cue_after):
            continue
        doc = m.group()[1:].lower() not in _ARCHIVES
        if doc and opaque_name(stem):
            continue  # "report.pdf", "a.docx": says nothing of whose document it is
        if STAGING_DIR.search(text[max(0, start - 120) : start]) and opaque_name(stem):
            continue  # the intruder's staging archive: its name is an indicator
        if cue_after or not FILE_TOKEN.search(window[cues[-1].end() :]):
            vocab.add("learned-archive", name)


_ARCHIVES = frozenset("zip rar 7z tar tgz gz cab lzh bz2 xz".split())


def _strings(value: Any, key: str = "") -> Iterator[str]:
    if isinstance(value, str):
        if key not in SKIP_KEYS:
            yield value
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v, key)
    elif isinstance(value, dict):
        for k, v in value.items():
            if not (isinstance(k, str) and k.endswith(("_ref", "_refs"))):
                yield from _strings(v, str(k))


def victim_locations(
    objects: Sequence[Mapping[str, Any]], member_identities: Iterable[str]
) -> set[str]:
    """Ids of `location` objects the victim side points at."""
    members = set(member_identities)
    locations = {str(o["id"]): o for o in objects if o.get("type") == "location"}
    kinds = {str(o.get("id")): o.get("type") for o in objects}
    # A street address, a postal code or coordinates are the victim's (attackers are placed
    # by country or region), unless an attacker's object is what the report places there.
    attacker_placed = {
        str(o.get("target_ref"))
        for o in objects
        if o.get("type") == "relationship" and kinds.get(str(o.get("source_ref"))) in ATTACKER_TYPES
    }
    found: set[str] = {
        lid
        for lid, loc in locations.items()
        if lid not in attacker_placed and any(k in loc for k in STREET_LEVEL)
    }
    for o in objects:
        kind = o.get("type")
        if kind == "sighting":
            found.update(r for r in o.get("where_sighted_refs", []) or [] if r in locations)
        elif kind == "relationship":
            src, dst = o.get("source_ref"), o.get("target_ref")
            if dst in locations and (
                src in members
                or (o.get("relationship_type") == "targets" and _precise(locations[dst]))
            ):
                found.add(str(dst))
            if src in locations and dst in members:
                found.add(str(src))
    return found


STREET_LEVEL = ("street_address", "postal_code", "latitude", "longitude")


def _precise(location: Mapping[str, Any]) -> bool:
    return any(k in location for k in ("street_address", "postal_code", "latitude", "city"))


def learn(
    objects: Sequence[Mapping[str, Any]], member_identities: Iterable[str], names: Matcher
) -> Vocabulary:
    """Everything the submission reveals about the victim that nobody registered."""
    attacker = set()
    for o in objects:
        if o.get("type") in ATTACKER_TYPES:
            for value in (o.get("name"), *(o.get("aliases") or [])):
                if isinstance(value, str):
                    attacker.add(matchers.fold(value).strip())
    vocab = Vocabulary(attacker=frozenset(attacker))
    members = set(member_identities)
    for lid in victim_locations(objects, members):
        loc = next(o for o in objects if o.get("id") == lid)
        props = (
            ("city", "street_address", "postal_code", "name")
            if ("city" in loc or "street_address" in loc)
            else ("city",)
        )
        for prop in props:
            value = loc.get(prop)
            if isinstance(value, str):
                vocab.add("learned-place", value, common_ok=True)
                if prop == "street_address":
                    for part in re.split(r"[,、，]\s*", value):
                        vocab.add("learned-place", part, common_ok=True)
    attacker_files = {
        str(o.get("name", "")).lower()
        for o in objects
        if o.get("type") == "file" and o.get("hashes")
    }
    for o in objects:
        for text in _strings(o):
            if len(text) < 4:
                continue
            _sites(text, vocab, names)
            _teams(text, vocab)
            _projects(text, vocab)
            _hosts(text, vocab)
            _case_ids(text, vocab)
            if "番船" in text or "丸" in text or "IMO" in text or "ull" in text:
                _vessels(text, vocab)
                _hulls(text, vocab)
            _adjacent(text, vocab, names)
            if (
                "〒" in text
                or "県" in text
                or "都" in text
                or "府" in text
                or "道" in text
                or ("-shi" in text or "-ku" in text or "-cho" in text or "-machi" in text)
            ):
                _addresses(text, vocab)
            if "." in text:
                _archives(text, vocab, attacker_files)
    return vocab


def id_shapes() -> list[tuple[re.Pattern[str], str]]:
    """Internal case and ticket numbers, by shape: cleared wherever they appear."""
    return [(rx, "case-id") for rx in ID_SHAPES] + [
        (rx, "self-description") for rx in SELF_DESCRIPTIONS
    ]


_SERIES = re.compile(r"[A-Za-z]{1,8}(?:-[A-Za-z]{1,8}){0,2}-?[0-9]{2,6}(?:-[0-9]{1,6}){0,2}")
MAX_SERIES = 64
# A learned bare hull number also stands for its near neighbours written with a dashed
# prefix ("第8123番船" beside "S-8124": sister ships are numbered in sequence). The dash
# keeps ATT&CK ids (T1566, S0154), which never have one, out of reach.
NEIGHBOURS = 20
_BARE_NUMBER = re.compile(r"[0-9]{4,6}")


def _neighbours(number: str) -> str:
    width, n = len(number), int(number)
    near = (f"{m:0{width}d}" for m in range(max(0, n - NEIGHBOURS), n + NEIGHBOURS + 1))
    return "[a-z]{1,3}-(?:" + "|".join(m for m in near if len(m) == width) + ")"


def series(vocab: Vocabulary) -> list[tuple[re.Pattern[str], str]]:
    """A learned hull or case number stands for its series: "S-8124" beside "S-1288",
    "KG-SEC-26-121" beside "KG-SEC-26-117" (same letters, digits of about the same length)."""
    shapes: dict[str, str] = {}
    for rule in ("case-id", "learned-project"):
        for value in sorted(vocab.values.get(rule, ())):
            if len(shapes) >= MAX_SERIES:
                continue
            if rule == "learned-project" and _BARE_NUMBER.fullmatch(value):
                shapes.setdefault(_neighbours(value), rule)
                continue
            if not _SERIES.fullmatch(value):
                continue
            body = re.sub(
                "[0-9]+",
                lambda m: f"[0-9]{{{max(1, len(m.group()) - 1)},{len(m.group()) + 1}}}",
                re.escape(value.lower()),
            )
            shapes.setdefault(body, rule)
    return [
        (re.compile(r"(?<![a-z0-9\-])" + body + r"(?![a-z0-9])"), rule)
        for body, rule in shapes.items()
    ]


def apply(
    objects: Sequence[Mapping[str, Any]], redactor: TextRedactor, member_identities: Iterable[str]
) -> Vocabulary:
    """Learn the submission's victim vocabulary and teach it to the redactor, with the id
    shapes and the Japanese analyser's certain findings."""
    vocab = learn(objects, member_identities, redactor.registry.names)
    redactor.learn(vocab.matchers(), id_shapes() + series(vocab))
    redactor.extra_finder = people.japanese_certain
    return vocab
