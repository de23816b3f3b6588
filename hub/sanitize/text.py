"""Free-text redaction of a member's values, Unicode-aware (NFKC, case-folded, defanged)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from hub.sanitize.profile import MemberProfile
from hub.sanitize.values import (
    SID_RE,
    SYSTEM_USER_DIRS,
    TILDE_USER_RE,
    UNC_RE,
    USER_PATH_RE,
    domain_matches,
    is_victim_ip,
    normalize_domain,
    parse_ip,
)

DOT = r"(?:\.|\[\.\]|\(\.\)|\{\.\}|\[dot\]|\(dot\))"
TOKEN_RE = re.compile(r"\[redacted:[a-z\-]+\]")
EMAIL_RE = re.compile(
    r"[\w.+\-'%]+(?:@|\[@\]|\[at\]|\(at\)|%40)((?:[\w\-]+" + DOT + r")+[\w\-]+)"
)
IPV4_RE = re.compile(
    r"(?<![\w.])(?:\d{1,3}" + DOT + r"){3}\d{1,3}(?:/\d{1,2})?(?![\w]|\.\d)"
)
IPV6_RE = re.compile(r"(?<![\w:])(?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{0,4}(?:/\d{1,3})?(?![\w:])")
PHONE_RE = re.compile(
    r"(?<![\w.+\-/:])(\+\d{1,3}[\s\-]?)?(?:\(\d{1,5}\)[\s\-]?)?\d{1,5}(?:[\s\-]\d{1,5}){1,4}"
    r"(?![\w\-/:]|\.\d)"
)
NAME_SEP = r"[\s\-_.・,]*"

# Lower number wins when two findings overlap; the span becomes their union.
PRIORITY = {
    "email": 0, "ad-account": 1, "user-path": 2, "windows-sid": 3, "private-ip": 4,
    "member-ip": 4, "member-domain": 5, "hostname": 6, "member-name": 7, "term": 8,
    "phone": 9, "person": 10,
}
TOKENS = {
    "email": "[REDACTED:email]", "user-path": "[REDACTED:username]",
    "windows-sid": "[REDACTED:sid]", "private-ip": "[REDACTED:ip]", "member-ip": "[REDACTED:ip]",
    "member-domain": "[REDACTED:domain]", "hostname": "[REDACTED:hostname]",
    "member-name": "[REDACTED:member-name]", "term": "[REDACTED:term]",
    "phone": "[REDACTED:phone]", "ad-account": "[REDACTED:domain]\\[REDACTED:username]",
    "person": "[REDACTED:person]",
}


@dataclass(frozen=True)
class Hit:
    """One sensitive fragment found in a text: where, which rule, the raw fragment."""

    start: int
    end: int
    rule: str
    fragment: str


def _normalize(text: str) -> tuple[str, list[int] | None, list[tuple[int, int]]]:
    """NFKC + case-fold text, keeping a map from folded offsets back to source clusters."""
    if text.isascii():
        return text.lower(), None, []
    clusters: list[tuple[int, int, str]] = []
    for i, ch in enumerate(text):
        folded = unicodedata.normalize("NFKC", ch).casefold()
        if clusters and folded and unicodedata.combining(folded[0]):
            start = clusters[-1][0]
            merged = unicodedata.normalize("NFKC", text[start:i + 1]).casefold()
            clusters[-1] = (start, i + 1, merged)
        else:
            clusters.append((i, i + 1, folded))
    owner: list[int] = []
    for idx, (_, _, folded) in enumerate(clusters):
        owner.extend([idx] * len(folded))
    return "".join(c[2] for c in clusters), owner, [(c[0], c[1]) for c in clusters]


# Company-form words around a legal name: "関西グリッド電力株式会社" is written
# "関西グリッド電力" in running text, "Kansai Grid Power Co., Ltd." as "Kansai Grid Power".
_COMPANY_FORMS = re.compile(
    r"(?i)^(?:株式会社|有限会社|合同会社|（株）|\(株\)|㈱)\s*|"
    r"\s*(?:株式会社|有限会社|合同会社|（株）|\(株\)|㈱|,?\s*(?:co\.?,?\s*ltd\.?|ltd\.?|"
    r"inc\.?|corp\.?|corporation|k\.k\.|llc|plc|gmbh|s\.a\.|co\.))\s*$"
)


def name_variants(name: str) -> list[str]:
    """A registered name and the same name without its company form, when that is distinct."""
    short = _COMPANY_FORMS.sub("", name.strip()).strip()
    return [name] if not short or short == name.strip() or len(short) < 2 else [name, short]


def _needle_regex(needle: str) -> str | None:
    """Regex for a registered name: folded, separators flexible, letter-bounded if short ASCII."""
    folded = unicodedata.normalize("NFKC", needle).casefold().strip()
    parts = [re.escape(p) for p in re.split(r"[\s\-_.・,]+", folded) if p]
    if not parts:
        return None
    body = NAME_SEP.join(parts)
    if folded.isascii() and len(folded) < 5:
        return r"(?<![a-z])" + body + r"(?![a-z])"
    return body


def _glob_regex(pattern: str) -> str | None:
    """Search regex for a host-name glob; globs without any literal character are ignored."""
    pat = pattern.strip().lower()
    if not re.search(r"[\w]", pat.replace("*", "").replace("?", "")):
        return None
    out = []
    for ch in pat:
        if ch == "*":
            out.append(r"[\w\-.]*")
        elif ch == "?":
            out.append(r"[\w\-]")
        else:
            out.append(re.escape(ch))
    return r"(?<![\w\-.])" + "".join(out) + r"(?![\w\-])"


def _alternation(regexes: list[str]) -> re.Pattern[str] | None:
    regexes = sorted(set(regexes), key=len, reverse=True)
    return re.compile("|".join(f"(?:{r})" for r in regexes)) if regexes else None


class TextRedactor:
    """Finds and replaces every registered or structural victim value in a text."""

    def __init__(self, profile: MemberProfile) -> None:
        self.profile = profile
        self.domains = profile.all_domains
        self.email_domains = tuple(
            dict.fromkeys(d.lower() for d in (*profile.email_domains, *self.domains)))
        dom = []
        for d in self.domains:
            labels = [re.escape(x) for x in normalize_domain(d).split(".") if x]
            if labels:
                dom.append(DOT.join(labels))
        self.domain_re = (
            re.compile(r"(?:(?<![\w\-.])|(?<=%[0-9a-f][0-9a-f]))(?:[\w\-]+" + DOT + r")*(?:"
                       + "|".join(sorted(dom, key=len, reverse=True))
                       + r")(?![\w\-]|" + DOT + r"[\w\-])")
            if dom else None
        )
        self.names_re = _alternation(
            [r for n in profile.names for v in name_variants(n) if (r := _needle_regex(v))]
        )
        self.terms_re = _alternation([r for n in profile.terms if (r := _needle_regex(n))])
        self.hosts_re = _alternation(
            [r for p in profile.hostname_patterns if (r := _glob_regex(p))])
        flat = [re.escape(d.lower()) for d in profile.flat_ad_domains]
        self.ad_account_re = (
            re.compile(r"(?<![\w\\])(?:" + "|".join(flat) + r")\\+[^\\\s'\"]+") if flat else None)
        self.ad_word_re = (
            re.compile(r"(?<![a-z0-9])(?:" + "|".join(flat) + r")(?![a-z0-9])") if flat else None)
        kept = [re.escape(unicodedata.normalize("NFKC", v).casefold().strip())
                for v in profile.keep_values if v.strip()]
        self.keep_re = _alternation(kept)

    def _ip_hit(self, text: str) -> str | None:
        value = re.sub(DOT, ".", text)
        if parse_ip(value) is None:
            return None
        if not is_victim_ip(value, ()):
            return "member-ip" if is_victim_ip(value, self.profile.ip_ranges) else None
        return "private-ip"

    def find(self, text: str) -> list[Hit]:
        """Every victim fragment in text, overlapping findings merged, in text order."""
        folded, owner, clusters = _normalize(text)
        raw: list[tuple[int, int, str]] = []
        for m in EMAIL_RE.finditer(folded):
            if domain_matches(m.group(1), self.email_domains):
                raw.append((m.start(), m.end(), "email"))
        if self.ad_account_re:
            raw += [(m.start(), m.end(), "ad-account") for m in self.ad_account_re.finditer(folded)]
        if self.ad_word_re:
            raw += [(m.start(), m.end(), "member-domain")
                    for m in self.ad_word_re.finditer(folded)]
        for m in USER_PATH_RE.finditer(folded):
            if m.group(2).strip() not in SYSTEM_USER_DIRS:
                raw.append((m.start(2), m.end(2), "user-path"))
        raw += [(m.start(1), m.end(1), "user-path") for m in TILDE_USER_RE.finditer(folded)]
        raw += [(m.start(), m.end(), "windows-sid") for m in SID_RE.finditer(folded)]
        for m in UNC_RE.finditer(folded):
            host = m.group(1)
            public = (parse_ip(host) is not None and not is_victim_ip(host, ())) or (
                "." in host and not domain_matches(host, self.domains))
            if not public and not host.startswith("[redacted"):
                raw.append((m.start(1), m.end(1), "hostname"))
        for rx in (IPV4_RE, IPV6_RE):
            for m in rx.finditer(folded):
                if rule := self._ip_hit(m.group()):
                    raw.append((m.start(), m.end(), rule))
        for rx, rule in ((self.domain_re, "member-domain"), (self.hosts_re, "hostname"),
                         (self.names_re, "member-name"), (self.terms_re, "term")):
            if rx is not None:
                raw += [(m.start(), m.end(), rule)
                        for m in rx.finditer(folded) if m.end() > m.start()]
        for m in PHONE_RE.finditer(folded):
            digits = sum(c.isdigit() for c in m.group())
            if (10 <= digits <= 15) or (m.group(1) and 9 <= digits <= 15):
                raw.append((m.start(), m.end(), "phone"))
        if not raw:
            return []
        protected = [(m.start(), m.end()) for m in TOKEN_RE.finditer(folded)]
        raw = [h for h in raw if not any(h[0] < pe and ps < h[1] for ps, pe in protected)]
        if self.keep_re is not None:
            keep = [(m.start(), m.end()) for m in self.keep_re.finditer(folded)]
            raw = [h for h in raw if not any(ks <= h[0] and h[1] <= ke for ks, ke in keep)]
            if not raw:
                return []
        raw.sort(key=lambda h: (h[0], -h[1], PRIORITY[h[2]]))
        merged: list[list[object]] = []
        for start, end, rule in raw:
            if merged and start < merged[-1][1]:  # type: ignore[operator]
                last = merged[-1]
                last[1] = max(last[1], end)  # type: ignore[call-overload]
                if PRIORITY[rule] < PRIORITY[last[2]]:  # type: ignore[index]
                    last[2] = rule
            else:
                merged.append([start, end, rule])
        hits = []
        for start, end, rule in merged:
            s, e = int(start), int(end)  # type: ignore[call-overload]
            if owner is not None:
                s, e = clusters[owner[s]][0], clusters[owner[e - 1]][1]
            hits.append(Hit(s, e, str(rule), text[s:e]))
        return hits

    def redact(self, text: str) -> tuple[str, list[Hit]]:
        """text with each finding replaced by its visible token, and the findings."""
        hits = self.find(text)
        if not hits:
            return text, hits
        out, pos = [], 0
        for h in hits:
            out.append(text[pos:h.start])
            out.append(TOKENS[h.rule])
            pos = h.end
        out.append(text[pos:])
        return "".join(out), hits

    def keeps(self, value: str) -> bool:
        """True when an operator marked this exact value as attacker data that must stay."""
        if self.keep_re is None:
            return False
        folded = unicodedata.normalize("NFKC", value).casefold().strip()
        return self.keep_re.fullmatch(folded) is not None

    def mentions_member(self, text: str) -> bool:
        """True when text contains any victim value (cheap pre-check for patterns)."""
        return bool(self.find(text))
