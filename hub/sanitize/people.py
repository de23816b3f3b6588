"""The member's people named by the submission itself, so free text can be cleared of them.

A member registers its names and networks, not its staff. But a report names its staff
in structured places: recipients at the member's mail domains (and their display names),
user accounts, user folders in paths, ``DOMAIN\\user`` logons, note and opinion authors,
and the member's own identity objects. The same people then reappear in descriptions,
notes and subjects ("Yamada-san opened the attachment"). This module learns those names
from the structured places and finds them, and their distinctive parts, in free text.
"""

from __future__ import annotations

import importlib
import re
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, Protocol

from wordfreq import zipf_frequency

from hub.sanitize.text import EMAIL_RE, Hit, _normalize, dotted_spans
from hub.sanitize.values import SID_RE, SYSTEM_USER_DIRS, USER_PATH_RE, domain_matches

COMMON_PART_ZIPF = 4.8
_SPLIT = re.compile(r"[\s._\-@,・'’()\\/]+")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]")
# Parts of account names that are words, not people: redacting them would eat attacker text.
_NOT_NAMES = frozenset(
    {
        "admin",
        "administrator",
        "user",
        "users",
        "guest",
        "test",
        "root",
        "system",
        "service",
        "public",
        "default",
        "local",
        "mail",
        "info",
        "support",
        "office",
        "home",
        "data",
        "temp",
        "backup",
        "sales",
        "security",
        "team",
        "noreply",
        "helpdesk",
        "desktop",
        "documents",
        "appdata",
        "roaming",
        "downloads",
        "owner",
        "operator",
        "staff",
        "csirt",
        "soc",
        "report",
        "reports",
        "alert",
        "alerts",
        "abuse",
        "postmaster",
        "webmaster",
        "hostmaster",
        "contact",
        # The words of the hub's own redaction tokens, which must never be redacted again.
        "redacted",
        "username",
        "hostname",
        "domain",
        "member",
        "name",
        "email",
        "person",
        "term",
        "phone",
    }
)


def _parts(value: str) -> set[str]:
    """The value itself and its distinctive parts (a surname, a given name)."""
    text = unicodedata.normalize("NFKC", value).casefold().strip()
    out = {text} if len(text) >= 3 and text not in _NOT_NAMES else set()
    # "k.sato" also appears as "ksato" in logons and URLs.
    joined = _SPLIT.sub("", text)
    if joined != text and len(joined) >= 4 and joined not in _NOT_NAMES:
        out.add(joined)
    words = [w for w in text.split() if w.isascii() and w.isalpha()]
    if len(words) == 2 and all(len(w) >= 2 for w in words):
        # "Ken Sato" logs on as "k.sato", "ksato", "sato.k" or "sato_ken".
        given, family = words
        for form in (
            f"{given[0]}.{family}",
            f"{given[0]}{family}",
            f"{given[0]}_{family}",
            f"{family}.{given[0]}",
            f"{family}_{given}",
            f"{given}_{family}",
        ):
            if len(form) >= 5:
                out.add(form)
    for part in _SPLIT.split(text):
        if part in _NOT_NAMES or part.isdigit():
            continue
        if _CJK.search(part):
            if len(part) >= 2:
                out.add(part)
        elif len(part) >= 4 and zipf_frequency(part, "en") < COMMON_PART_ZIPF:
            # A fragment that is a common English word ("will", "mark") would eat prose.
            out.add(part)
    return out


def learn(
    objects: Sequence[Mapping[str, Any]],
    email_domains: Sequence[str],
    member_identities: Iterable[str],
    ad_domains: Sequence[str],
) -> frozenset[str]:
    """Every person-identifying string the submission attaches to the member."""
    found: set[str] = set()
    identities = set(member_identities)
    flat_ad = tuple(d.casefold() for d in ad_domains if "." not in d)

    def scan_strings(value: Any) -> None:
        if isinstance(value, str):
            if "\\" not in value and "/" not in value:
                return
            folded = unicodedata.normalize("NFKC", value).casefold()
            for m in USER_PATH_RE.finditer(folded):
                user = m.group(2).strip()
                if user not in SYSTEM_USER_DIRS and not user.startswith("[redacted"):
                    found.update(_parts(user))
            for dom in flat_ad:
                logon = r"(?<![a-z0-9_\\])" + re.escape(dom) + r"\\++([a-z0-9_.\-$@]++)"
                for m in re.finditer(logon, folded):
                    found.update(_parts(m.group(1)))
        elif isinstance(value, list):
            for v in value:
                scan_strings(v)
        elif isinstance(value, dict):
            for v in value.values():
                scan_strings(v)

    for o in objects:
        kind = o.get("type")
        if kind == "email-addr":
            addr = str(o.get("value", ""))
            local, _, dom = addr.rpartition("@")
            if dom and domain_matches(dom, email_domains):
                found.update(_parts(local))
                if isinstance(o.get("display_name"), str):
                    found.update(_parts(o["display_name"]))
        elif kind == "user-account":
            for prop in ("account_login", "display_name", "user_id"):
                value = o.get(prop)
                if isinstance(value, str) and not SID_RE.fullmatch(value):
                    found.update(_parts(value))
        elif kind in ("note", "opinion"):
            for author in o.get("authors", []) or []:
                if isinstance(author, str):
                    found.update(_parts(author))
        elif (
            kind == "identity"
            and o.get("id") in identities
            and (o.get("identity_class") == "individual")
        ):
            found.update(_parts(str(o.get("name", ""))))
        scan_strings(o)
    return frozenset(p for p in found if p)


class PeopleRedactor:
    """Finds the learned people in a text: whole words for Latin script, anywhere for CJK."""

    def __init__(self, people: Iterable[str]) -> None:
        latin = sorted((re.escape(p) for p in people if not _CJK.search(p)), key=len, reverse=True)
        cjk = sorted((re.escape(p) for p in people if _CJK.search(p)), key=len, reverse=True)
        alternatives = []
        if latin:
            alternatives.append(r"(?<![a-z0-9])(?:" + "|".join(latin) + r")(?![a-z0-9])")
        if cjk:
            alternatives.append("(?:" + "|".join(cjk) + ")")
        self.regex = re.compile("|".join(alternatives)) if alternatives else None

    def find(self, text: str) -> list[Hit]:
        if self.regex is None:
            return []
        folded, owner, clusters = _normalize(text)
        spans: list[list[int]] = []
        for m in self.regex.finditer(folded):
            s, e = m.start(), m.end()
            if e <= s:
                continue
            if owner is not None:
                s, e = clusters[owner[s]][0], clusters[owner[e - 1]][1]
            # "山田" and "太郎" found side by side are one name, redacted once.
            if spans and s <= spans[-1][1] + (1 if text[spans[-1][1] : s].isspace() else 0):
                spans[-1][1] = max(spans[-1][1], e)
            else:
                spans.append([s, e])
        if spans and ("." in text or "[" in text):
            # A name fragment inside a dotted token (an attacker's file name or domain) is
            # part of that token, not a person: "sato_loader.dll" stays.
            tokens = dotted_spans(text.lower())
            spans = [
                [s, e]
                for s, e in spans
                if not any(ts <= s and e <= te and (ts, te) != (s, e) for ts, te in tokens)
            ]
        return [Hit(s, e, "person", text[s:e]) for s, e in spans]


def is_only_people(text: str, redactor: PeopleRedactor) -> bool:
    """True when nothing but learned names (and separators) is left in text."""
    hits = redactor.find(text)
    rest = list(text)
    for h in hits:
        rest[h.start : h.end] = [" "] * (h.end - h.start)
    return bool(hits) and not re.sub(r"[\s.,・\-]+", "", "".join(rest))


# --- names in running text, by cue ------------------------------------------------------
_WORD = r"[A-Z][a-z]{1,20}+(?:[\-'’][A-Z][a-z]{1,20}+)?"
_FULL = _WORD + r"(?:[ \t]++(?:[A-Z]\.[ \t]*+)?" + _WORD + "){0,2}+"
CUES = (
    # "From: Ken Sato", "Analyst: Ken Sato", "Contact: ..."
    re.compile(
        r"(?m)^[ \t>]*+(?:From|To|Cc|Contact|Analyst|Author|Reporter|Reported by|Prepared by|"
        r"Written by|Handler|Owner|Assignee|Investigator|POC|Point of contact|Signed|Name|"
        r"Attn|Responder|Approved by|Reviewed by)[ \t]*+:[ \t]*+(" + _FULL + ")"
    ),
    re.compile(
        r"(?<![A-Za-z])(?:[Rr]eported|[Pp]repared|[Ww]ritten|[Aa]naly[sz]ed|[Ii]nvestigated|"
        r"[Cc]onfirmed|[Ee]scalated|[Rr]aised|[Ss]ubmitted|[Hh]andled|[Rr]eviewed|[Aa]pproved|"
        r"[Oo]pened|[Rr]eceived|[Cc]licked|[Ff]orwarded|[Ff]lagged|[Nn]otified)[ \t]++by[ \t]++"
        r"(" + _FULL + ")"
    ),
    re.compile(r"(?<![A-Za-z])(?:Mr|Ms|Mrs|Dr|Prof|Mx)\.?[ \t]++(" + _FULL + ")"),
    re.compile(
        r"(?<![A-Za-z])(?:Regards|Best regards|Kind regards|Best wishes|Sincerely|Thanks|"
        r"Thank you|Cheers|Respectfully|Best),?[ \t]*+\r?\n[ \t]*+(" + _FULL + ")"
    ),
    re.compile(r"(?m)^--[ \t]*+\r?\n[ \t]*+(" + _FULL + ")"),
    # Japanese honorifics and labels in English or romanised text: "Yamada-san", "担当: Sato".
    re.compile(r"(?<![A-Za-z])(" + _WORD + r")[\- ](?:san|sama|kun|dono)(?![A-Za-z])"),
    re.compile(
        r"(?:担当|作成|作成者|報告者|起票|記入|氏名|差出人|連絡先)[ \t]*+[:：][ \t　]*+("
        + _FULL
        + ")"
    ),
)
# Words of a role, a department or a greeting: "From: Accounting Department" is no person.
ROLE_WORDS = frozenset(
    "team department dept desk center centre group office division section security "
    "operations service services support admin administrator accounting finance sales "
    "incident response customer customers client user users manager management analyst "
    "staff member members partner partners the all dear sir madam hello hi regards thanks "
    "human resources payroll billing invoice shipping delivery notification system mail "
    "microsoft google apple amazon paypal dhl fedex ups docusign adobe outlook office "
    "account accounts it helpdesk hub sector soc csirt cert sirt information".split()
)


# "Ken Sato (k.sato@member.example)", "Ken Sato <k.sato@…>": a person of the member whose
# address follows; "Ken Sato (IT部 課長)", "Ken Sato (SOC manager)": a person with a role.
NAME_WITH_ADDRESS = re.compile(
    r"(?<![A-Za-z])(" + _FULL + r")[ \t]*+[(<（][ \t]*+([\w.+\-']{1,64}+@[\w.\-]{1,253}+)"
)
NAME_WITH_ROLE = re.compile(
    r"(?<![A-Za-z])(" + _FULL + r")[ \t]*+[(（][^()（）\n]{0,40}?(?:部長|課長|係長|主任|室長|"
    r"所長|担当|(?i:manager|analyst|engineer|officer|lead|head|director|administrator|"
    r"responder|specialist|supervisor|chief))"
)


def cue_names(text: str, email_domains: Sequence[str]) -> set[str]:
    """English person names a cue introduces ("Regards,\nKen Sato", "reported by Ken
    Sato", "Ms. Sato", "Analyst: ..."); not a role, and never a sender at a non-member
    address (an attacker's persona stays the attacker's)."""
    found: set[str] = set()
    if text.isascii() and not any(c.isupper() for c in text):
        return found
    for rx in CUES:
        for m in rx.finditer(text):
            name = m.group(1)
            words = [w.lower() for w in re.split(r"[ \t.]+", name) if w]
            if not words or any(w in ROLE_WORDS for w in words):
                continue
            if len(words) == 1 and zipf_frequency(words[0], "en") >= COMMON_PART_ZIPF:
                continue
            line_end = text.find("\n", m.end())
            rest = text[m.end() : line_end if line_end != -1 else len(text)]
            addr = EMAIL_RE.search(rest.lower())
            if addr and not domain_matches(addr.group(1), email_domains):
                continue
            found.add(name)
    if "(" in text or "<" in text or "（" in text:
        for m in NAME_WITH_ADDRESS.finditer(text):
            if domain_matches(m.group(2).rsplit("@", 1)[1], email_domains):
                found.add(m.group(1))
        for m in NAME_WITH_ROLE.finditer(text):
            words = [w.lower() for w in re.split(r"[ \t.]+", m.group(1)) if w]
            if len(words) >= 2 and not any(w in ROLE_WORDS for w in words):
                found.add(m.group(1))
    return found


class _Finding(Protocol):
    start: int
    end: int
    text: str
    kind: str
    certain: bool
    cue: str


def _japanese() -> Any | None:
    """The Japanese analyser module, when it is installed in this tree."""
    try:
        return importlib.import_module("hub.sanitize.japanese")
    except ImportError:
        return None


def japanese_findings(text: str) -> tuple[_Finding, ...]:
    """Japanese person, organisation and facility names in text. Cached: the same string is
    read while learning, redacting and flagging (up to CACHE_CHARS characters of text)."""
    if not _CJK.search(text):
        return ()
    with _CACHE_LOCK:
        found = _CACHE.get(text)
    if found is None:
        found = _analyse(text)
        if len(text) <= CACHE_CHARS // 16:
            with _CACHE_LOCK:
                if text not in _CACHE:
                    _CACHE[text] = found
                    _CACHE_SIZE[0] += len(text)
                while _CACHE_SIZE[0] > CACHE_CHARS and _CACHE:
                    _CACHE_SIZE[0] -= len(_CACHE.popitem(last=False)[0])
    return found


CACHE_CHARS = 4_000_000
_CACHE: OrderedDict[str, tuple[_Finding, ...]] = OrderedDict()
_CACHE_SIZE = [0]
_CACHE_LOCK = threading.Lock()


def _analyse(text: str) -> tuple[_Finding, ...]:
    module = _japanese()
    return () if module is None else tuple(module.find(text))


JA_RULES = {"person": "person", "organization": "organization", "facility": "member-site"}


def japanese_certain(text: str) -> list[tuple[int, int, str]]:
    """The certain Japanese findings as (start, end, rule): redacted like any other hit."""
    return [(f.start, f.end, JA_RULES[f.kind]) for f in japanese_findings(text) if f.certain]


def japanese_probable(text: str) -> list[_Finding]:
    """The probable Japanese findings: flagged to the operator, never silently passed."""
    return [f for f in japanese_findings(text) if not f.certain]


def without_probable_people(text: str) -> str:
    """text with the probable Japanese person names replaced too: for prose that only the
    member writes (a detection rule's description and false positives), where a name the
    analyser is unsure of is still the member's staff, never the attacker's."""
    found = [f for f in japanese_probable(text) if f.kind == "person" and "[" not in f.text]
    for f in sorted(found, key=lambda f: f.start, reverse=True):
        text = text[: f.start] + "[REDACTED:person]" + text[f.end :]
    return text


def _texts(value: Any, key: str = "") -> Iterator[str]:
    if isinstance(value, str):
        if key not in ("id", "type", "pattern", "created", "modified", "spec_version"):
            yield value
    elif isinstance(value, list):
        for v in value:
            yield from _texts(v, key)
    elif isinstance(value, dict):
        for k, v in value.items():
            if not (isinstance(k, str) and k.endswith(("_ref", "_refs"))):
                yield from _texts(v, str(k))


def with_probable_names(objects: Sequence[Mapping[str, Any]]) -> set[str]:
    """Ids of the objects whose text holds a probable Japanese name."""
    return {str(o.get("id")) for o in objects if any(japanese_probable(t) for t in _texts(o))}


def learn_from_text(
    objects: Sequence[Mapping[str, Any]], email_domains: Sequence[str]
) -> frozenset[str]:
    """People the running text introduces with a cue (English) or that the Japanese analyser
    finds with certainty: learned, so every other mention of them is cleared too."""
    found: set[str] = set()
    for o in objects:
        for text in _texts(o):
            for name in cue_names(text, email_domains):
                found.update(_parts(name))
            for f in japanese_findings(text):
                if f.certain and f.kind == "person":
                    found.update(_parts(f.text))
    return frozenset(p for p in found if p)


def flag_probable(oid: str, value: Any, add: Callable[..., None], path: str = "") -> None:
    """Record every probable Japanese name left in value's text for the operator: object,
    path and offsets, masked like any other change."""
    if isinstance(value, str):
        for f in japanese_probable(value):
            if "[REDACTED" not in f.text:
                add(oid, f"{path}[{f.start}:{f.end}]", "review-name", f.text, "flagged")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            flag_probable(oid, v, add, f"{path}[{i}]")
    elif isinstance(value, dict):
        for k, v in value.items():
            if k not in ("id", "type", "pattern") and not str(k).endswith(("_ref", "_refs")):
                flag_probable(oid, v, add, f"{path}.{k}" if path else str(k))
