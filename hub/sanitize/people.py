"""The member's people named by the submission itself, so free text can be cleared of them.

A member registers its names and networks, not its staff. But a report names its staff
in structured places: recipients at the member's mail domains (and their display names),
user accounts, user folders in paths, ``DOMAIN\\user`` logons, note and opinion authors,
and the member's own identity objects. The same people then reappear in descriptions,
notes and subjects ("Yamada-san opened the attachment"). This module learns those names
from the structured places and finds them, and their distinctive parts, in free text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from hub.sanitize.text import Hit, _normalize
from hub.sanitize.values import SID_RE, SYSTEM_USER_DIRS, USER_PATH_RE, domain_matches

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
    for part in _SPLIT.split(text):
        if part in _NOT_NAMES or part.isdigit():
            continue
        if (_CJK.search(part) and len(part) >= 2) or len(part) >= 4:
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
            folded = unicodedata.normalize("NFKC", value).casefold()
            for m in USER_PATH_RE.finditer(folded):
                user = m.group(2).strip()
                if user not in SYSTEM_USER_DIRS and not user.startswith("[redacted"):
                    found.update(_parts(user))
            for dom in flat_ad:
                for m in re.finditer(re.escape(dom) + r"\\+([^\\\s'\"]+)", folded):
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
        return [Hit(s, e, "person", text[s:e]) for s, e in spans]


def is_only_people(text: str, redactor: PeopleRedactor) -> bool:
    """True when nothing but learned names (and separators) is left in text."""
    hits = redactor.find(text)
    rest = list(text)
    for h in hits:
        rest[h.start : h.end] = [" "] * (h.end - h.start)
    return bool(hits) and not re.sub(r"[\s.,・\-]+", "", "".join(rest))
