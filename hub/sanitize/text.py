"""Free-text redaction of members' values, Unicode-aware (NFKC, case-folded, defanged).

Every expression here runs on attacker-controlled text of up to a megabyte and is linear:
each one that starts with a repetition is anchored by a negative look-behind on the same
class (so it starts only where a token starts) and its repetitions are possessive or
bounded. The registered assets come from the compiled matchers in `matchers`, the same
ones whole observable values are checked with.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from hub.sanitize import matchers
from hub.sanitize.matchers import DOT, Matcher, name_variants
from hub.sanitize.profile import MemberProfile
from hub.sanitize.values import (
    SID_RE,
    SYSTEM_USER_DIRS,
    TILDE_USER_RE,
    UNC_RE,
    USER_PATH_RE,
    domain_matches,
    is_victim_ip,
    parse_ip,
)

__all__ = ["PRIORITY", "TOKENS", "Hit", "TextRedactor", "name_variants"]

DIGIT_RE = re.compile(r"[0-9]")
TOKEN_RE = re.compile(r"\[redacted:[a-z\-]+\]")
_LOCAL = r"(?:[\w.+\-']|%(?!40))"
EMAIL_RE = re.compile(
    r"(?<![\w.+\-'%])" + _LOCAL + r"++(?:@|\[@\]|\[at\]|\(at\)|%40)"
    r"((?:[\w\-]++" + DOT + r")+[\w\-]++)"
)
IPV4_RE = re.compile(
    r"(?<![a-z0-9_.])(?:[0-9]{1,3}" + DOT + r"){3}[0-9]{1,3}(?:/[0-9]{1,2})?(?![a-z0-9_]|\.[0-9])"
)
IPV6_RE = re.compile(
    r"(?<![a-z0-9_:])(?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{0,4}(?:/[0-9]{1,3})?(?![a-z0-9_:])"
)
PHONE_RE = re.compile(
    r"(?<![a-z0-9_.+\-/:])(\+[0-9]{1,3}[\s\-]?)?(?:\([0-9]{1,5}\)[\s\-]?)?[0-9]{1,5}(?:[\s\-][0-9]{1,5}){1,4}"
    r"(?![a-z0-9_\-/:]|\.[0-9])"
)
# Digits right after "ID" are an identifier (a remote-access id, a session id), not a phone.
ID_BEFORE = re.compile(r"(?<![a-z0-9])id[ \t]*+[:：#=]?[ \t]*+$")
# An internal phone extension: "内線 2231", "ext. 2231".
EXTENSION_RE = re.compile(
    r"(?:内線|(?<![a-z0-9])(?:ext|extn|extension|tel\.?[ \t]?ext)\.?)[ \t　]*+[:：.]?[ \t　]*+"
    r"[0-9０-９]{2,6}+(?![0-9０-９])"
)
# \\host\share: the share name says what the member keeps there ("\\fs01\keiri$").
UNC_SHARE_RE = re.compile(r"(?<![\\a-z0-9_])\\\\[\w.\-$]++\\([\w.\-$ ]{1,80}+)")
# Administrative shares every Windows machine has say nothing about the member.
ADMIN_SHARE_RE = re.compile(r"[a-z]\$|admin\$|ipc\$|print\$|sysvol|netlogon|users|public")
# Tokens that are an attacker's or public: dotted names (domains, file names), URLs, hashes.
DOTTED_RE = re.compile(r"(?<![\w\-.])[\w\-]++(?:" + DOT + r"[\w\-]++)++")
_HIRAGANA = re.compile("[\u3040-\u309f\u3000-\u3004\u3006-\u303f]")


def dotted_spans(text: str) -> list[tuple[int, int]]:
    """Spans of dotted tokens (domains, file names), tightened in Japanese running text, where
    no space ends a word: "…設計棟のws12からupdate.example.comへ" holds the token
    "update.example.com", "…さんが見積書_鈴木.zipを開封" the file name "見積書_鈴木.zip"."""
    spans = []
    for m in DOTTED_RE.finditer(text):
        s, e = m.span()
        tok = m.group()
        if tok.isascii():
            spans.append((s, e))
            continue
        first = min(i for i in (tok.find(c) for c in ".[({") if i >= 0)
        last = max(tok.rfind(c) for c in ".])}")
        tail, n = tok[last + 1 :], 0
        while n < len(tail) and tail[n].isascii() and (tail[n].isalnum() or tail[n] in "_-"):
            n += 1
        end = last + 1 + n if n else len(tok)
        head = tok[:first]
        if tail[:n].lower() in FILE_EXTENSIONS:
            cut = max((h.end() for h in _HIRAGANA.finditer(head)), default=0)
        else:
            cut = max((i + 1 for i, c in enumerate(head) if not c.isascii()), default=0)
        if cut < first:
            spans.append((s + cut, s + end))
    return spans


URL_RE = re.compile(r"(?<![\w])(?:hxxps?|https?|ftp|fxp)(?::|\[:\])//[^\s\"'<>]*+")
HASH_RE = re.compile(
    r"(?<![0-9a-f])(?:[0-9a-f]{32}|[0-9a-f]{40}|[0-9a-f]{64}|[0-9a-f]{128})"
    r"(?![0-9a-f])"
)
DOMAIN_LABELS_RE = re.compile(r"[a-z0-9\-]++(?:\.[a-z0-9\-]++)++")
FILE_EXTENSIONS = frozenset(
    "exe dll sys scr bat cmd ps1 vbs vbe js jse hta lnk iso img vhd msi cab zip rar 7z gz "
    "tgz tar lzh xz bz2 doc docx docm xls xlsx xlsm xlsb ppt pptx pptm pdf rtf txt csv log "
    "json xml html htm one chm jar py sh elf bin dat tmp ini cfg conf db sqlite png jpg "
    "jpeg gif bmp eml msg pst ost evtx pcap pcapng yar yml yaml".split()
)

# Lower number wins when two findings overlap; the span becomes their union.
PRIORITY = {
    "email": 0,
    "ad-account": 1,
    "user-path": 2,
    "windows-sid": 3,
    "private-ip": 4,
    "member-ip": 4,
    "member-domain": 5,
    "hostname": 6,
    "file-share": 6,
    "member-id": 7,
    "case-id": 7,
    "member-name": 7,
    "member-team": 8,
    "team-name": 8,
    "member-site": 8,
    "learned-site": 8,
    "learned-place": 8,
    "learned-name": 8,
    "learned-project": 8,
    "learned-archive": 8,
    "learned-host": 6,
    "term": 8,
    "organization": 8,
    "self-description": 8,
    "phone": 9,
    "person": 10,
}
TOKENS = {
    "email": "[REDACTED:email]",
    "user-path": "[REDACTED:username]",
    "windows-sid": "[REDACTED:sid]",
    "private-ip": "[REDACTED:ip]",
    "member-ip": "[REDACTED:ip]",
    "member-domain": "[REDACTED:domain]",
    "hostname": "[REDACTED:hostname]",
    "member-name": "[REDACTED:member-name]",
    "term": "[REDACTED:term]",
    "phone": "[REDACTED:phone]",
    "ad-account": "[REDACTED:domain]\\[REDACTED:username]",
    "person": "[REDACTED:person]",
    "file-share": "[REDACTED:share]",
    "member-id": "[REDACTED:case-id]",
    "case-id": "[REDACTED:case-id]",
    "member-team": "[REDACTED:team]",
    "team-name": "[REDACTED:team]",
    "member-site": "[REDACTED:site]",
    "learned-site": "[REDACTED:site]",
    "learned-place": "[REDACTED:location]",
    "learned-name": "[REDACTED:member-name]",
    "learned-project": "[REDACTED:term]",
    "learned-archive": "[REDACTED:file]",
    "learned-host": "[REDACTED:hostname]",
    "organization": "[REDACTED:organization]",
    "self-description": "[REDACTED:description]",
}
# Registered names, terms, sites and teams: never inside a look-alike domain that holds a
# member's domain, which is the attacker's ("kumotori-hi-co.jp.login-check.net").
SOFT_REGISTERED = frozenset({"member-name", "term", "member-site", "member-team"})
# Learned single words (a town, a short name, a project's one-word name, a company the
# analyser found): never inside a dotted token (an attacker's file name, domain, URL).
# Learned phrases (sites, projects, hosts, case ids) are the victim's wherever they appear,
# in a file named after them too ("Mizushima_Works_design.xlsx", a lure named after a site).
LEARNED = frozenset({"learned-name", "learned-place", "organization"})
LEARNED_PHRASES = frozenset(
    {"learned-site", "learned-project", "learned-archive", "learned-host", "case-id", "team-name"}
)
# Domains where a member's name is the label of the member's own tenant, not a look-alike:
# "kumotori.sharepoint.com" is the member's site on a cloud service.
TENANT_PARENTS = (
    "sharepoint.com",
    "onmicrosoft.com",
    "office365.com",
    "okta.com",
    "oktapreview.com",
    "service-now.com",
    "servicenow.com",
    "salesforce.com",
    "force.com",
    "my.salesforce.com",
    "box.com",
    "slack.com",
    "atlassian.net",
    "zendesk.com",
    "awsapps.com",
    "webex.com",
    "zoom.us",
    "cybozu.com",
    "kintone.com",
    "google.com",
    "workplace.com",
    "gitlab.io",
    "github.io",
    "azurewebsites.net",
    "cloudfront.net",
    "amazonaws.com",
    "onelogin.com",
    "my.site.com",
    "lightning.force.com",
    "backlog.jp",
    "backlog.com",
    "garoon.cybozu.com",
)
# Top-level labels of internal names: a member's name under them is the member's host.
INTERNAL_TLDS = frozenset(
    "local lan internal intranet intra corp home localdomain private ad priv test".split()
)
SEPARATED = re.compile(r"[\s\-_.・,]")
# A finder for running text beyond the registry (Japanese names): (start, end, rule) spans.
ExtraFinder = Callable[[str], Sequence[tuple[int, int, str]]]


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
            merged = unicodedata.normalize("NFKC", text[start : i + 1]).casefold()
            clusters[-1] = (start, i + 1, merged)
        else:
            clusters.append((i, i + 1, folded))
    owner: list[int] = []
    for idx, (_, _, folded) in enumerate(clusters):
        owner.extend([idx] * len(folded))
    return "".join(c[2] for c in clusters), owner, [(c[0], c[1]) for c in clusters]


def _inside(span: tuple[int, int], zones: Sequence[tuple[int, int]]) -> bool:
    return any(zs <= span[0] and span[1] <= ze for zs, ze in zones)


def _strictly_inside(span: tuple[int, int], zones: Sequence[tuple[int, int]]) -> bool:
    """Inside a zone and smaller than it: a learned value that is the whole token is found."""
    return any(zs <= span[0] and span[1] <= ze and (zs, ze) != span for zs, ze in zones)


class TextRedactor:
    """Finds and replaces every registered, learned or structural victim value in a text."""

    def __init__(self, profile: MemberProfile) -> None:
        self.profile = profile
        self.registry = matchers.registry(profile)
        self.domains = profile.all_domains
        self.email_domains = tuple(
            dict.fromkeys(d.lower() for d in (*profile.email_domains, *self.domains))
        )
        self.learned: tuple[Matcher, ...] = ()
        self.shapes: tuple[tuple[re.Pattern[str], str], ...] = ()
        self.extra_finder: ExtraFinder | None = None
        flat = [re.escape(d.lower()) for d in profile.flat_ad_domains]
        self.ad_account_re = (
            re.compile(r"(?<![a-z0-9_\\])(?:" + "|".join(flat) + r")\\++[a-z0-9_.\-$@]++")
            if flat
            else None
        )
        self.ad_word_re = (
            re.compile(r"(?<![a-z0-9])(?:" + "|".join(flat) + r")(?![a-z0-9])") if flat else None
        )
        self.keep = matchers.phrases(
            "keep", [v for v in profile.keep_values if v.strip()], min_len=1
        )

    def learn(
        self, learned: Iterable[Matcher], shapes: Iterable[tuple[re.Pattern[str], str]] = ()
    ) -> None:
        """Add what the submission itself revealed: learned phrases and id/team shapes."""
        self.learned = (*self.learned, *(m for m in learned if m.regex is not None))
        self.shapes = (*self.shapes, *shapes)

    def _ip_hit(self, text: str) -> str | None:
        value = re.sub(DOT, ".", text) if any(c in text for c in "[({") else text
        if is_victim_ip(value, ()):
            return "private-ip"
        return "member-ip" if is_victim_ip(value, self.profile.ip_ranges) else None

    def _look_alike(self, host: str) -> bool:
        """A domain of the attacker's that holds a member's domain as a label sequence, dots
        or dashes alike: "setouchi-power-co.jp.login-check.net" for setouchi-power.co.jp."""
        tld = host.rsplit(".", 1)[-1]
        if not tld.isalpha() or len(tld) < 2 or tld in FILE_EXTENSIONS:
            return False
        dashed = "-" + host.replace(".", "-") + "-"
        return any("-" + d.replace(".", "-") + "-" in dashed for d in self.domains if "." in d)

    def name_alike(self, host: str) -> bool:
        """A public domain outside every member's namespace that spells a member's name
        ("kumotori-hi-billing.com"): the attacker's imitation of the member, kept as the
        attacker's indicator and flagged to the operator. A member's tenant on a cloud
        service ("kumotori.sharepoint.com") and internal names (".local") are the member's."""
        plain = re.sub(DOT, ".", host.lower()).strip(".")
        if not DOMAIN_LABELS_RE.fullmatch(plain) or domain_matches(plain, self.domains):
            return False
        tld = plain.rsplit(".", 1)[-1]
        if not tld.isalpha() or len(tld) < 2 or tld in FILE_EXTENSIONS or tld in INTERNAL_TLDS:
            return False
        if domain_matches(plain, TENANT_PARENTS):
            return False
        return any(True for _ in self.registry.names.spans(plain))

    def _attacker_zones(self, folded: str) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
        """(dotted tokens that are not a member's, of those the attacker's look-alikes)."""
        dotted: list[tuple[int, int]] = []
        domains: list[tuple[int, int]] = []
        for span in dotted_spans(folded):
            token = folded[span[0] : span[1]]
            plain = re.sub(DOT, ".", token)
            if domain_matches(plain, self.domains) or self.registry.domains.fullmatch(plain):
                continue
            dotted.append(span)
            if DOMAIN_LABELS_RE.fullmatch(plain) and (
                self._look_alike(plain) or self.name_alike(plain)
            ):
                domains.append(span)
        for m in URL_RE.finditer(folded):
            dotted.append(m.span())
        dotted += [m.span() for m in HASH_RE.finditer(folded)]
        return dotted, domains

    def _structural(self, folded: str) -> list[tuple[int, int, str]]:
        raw: list[tuple[int, int, str]] = []
        if "@" in folded or "[at]" in folded or "(at)" in folded or "%40" in folded:
            for m in EMAIL_RE.finditer(folded):
                start, dom = m.start(), m.group(1)
                if not m.group().isascii():
                    # Japanese running text has no space around an address: "様のa.b@x.jpに".
                    dom = dom[: next((i for i, c in enumerate(dom) if not c.isascii()), len(dom))]
                    local = folded[start : m.start(1)]
                    start += max((i + 1 for i, c in enumerate(local) if not c.isascii()), default=0)
                if domain_matches(dom, self.email_domains):
                    raw.append((start, m.start(1) + len(dom), "email"))
        if self.ad_account_re:
            raw += [(m.start(), m.end(), "ad-account") for m in self.ad_account_re.finditer(folded)]
        if self.ad_word_re:
            raw += [(m.start(), m.end(), "member-domain") for m in self.ad_word_re.finditer(folded)]
        if "\\" in folded or "/" in folded:
            for m in USER_PATH_RE.finditer(folded):
                if m.group(2).strip() not in SYSTEM_USER_DIRS:
                    raw.append((m.start(2), m.end(2), "user-path"))
        if "~" in folded:
            raw += [(m.start(1), m.end(1), "user-path") for m in TILDE_USER_RE.finditer(folded)]
        if "s-1-5-21" in folded:
            raw += [(m.start(), m.end(), "windows-sid") for m in SID_RE.finditer(folded)]
        if "\\\\" in folded:
            for m in UNC_RE.finditer(folded):
                host = m.group(1)
                public = (parse_ip(host) is not None and not is_victim_ip(host, ())) or (
                    "." in host and not domain_matches(host, self.domains)
                )
                if not public and not host.startswith("[redacted"):
                    raw.append((m.start(1), m.end(1), "hostname"))
                    share = UNC_SHARE_RE.match(folded, m.start())
                    if (
                        share
                        and not ADMIN_SHARE_RE.fullmatch(share.group(1))
                        and not (share.group(1).startswith("[redacted"))
                    ):
                        raw.append((share.start(1), share.end(1), "file-share"))
        if "::" in folded or folded.count(":") >= 2:
            raw += [
                (m.start(), m.end(), r)
                for m in IPV6_RE.finditer(folded)
                if (r := self._ip_hit(m.group()))
            ]
        if not DIGIT_RE.search(folded):
            return raw
        raw += [
            (m.start(), m.end(), r)
            for m in IPV4_RE.finditer(folded)
            if (r := self._ip_hit(m.group()))
        ]
        for m in PHONE_RE.finditer(folded):
            digits = sum(c.isdigit() for c in m.group())
            if ID_BEFORE.search(folded, max(0, m.start() - 8), m.start()):
                continue  # "AnyDesk ID 1 234 567 890": an identifier, not a phone
            if (10 <= digits <= 15) or (m.group(1) and 9 <= digits <= 15):
                raw.append((m.start(), m.end(), "phone"))
        for m in EXTENSION_RE.finditer(folded):
            raw.append((m.start(), m.end(), "phone"))
        return raw

    def _raw(self, text: str, folded: str) -> list[tuple[int, int, str]]:
        raw = self._structural(folded)
        for matcher in self.registry.text_matchers():
            raw += [(s, e, matcher.rule) for s, e in matcher.spans(folded)]
        for matcher in self.learned:
            raw += [(s, e, matcher.rule) for s, e in matcher.spans(folded)]
        for rx, rule in self.shapes:
            raw += [(m.start(), m.end(), rule) for m in rx.finditer(folded)]
        if not raw:
            return raw

        def word(h: tuple[int, int, str]) -> bool:
            """A learned single word (a town, a short name), not a phrase."""
            return h[2] in LEARNED or (
                h[2] in LEARNED_PHRASES and not SEPARATED.search(folded, h[0], h[1])
            )

        soft = [h for h in raw if h[2] in SOFT_REGISTERED or word(h)]
        if soft:
            dotted, domains = self._attacker_zones(folded)
            raw = [
                h
                for h in raw
                if not (word(h) and _strictly_inside((h[0], h[1]), dotted))
                and not (h[2] in SOFT_REGISTERED and _inside((h[0], h[1]), domains))
            ]
        return raw

    def _extra(
        self, text: str, folded: str, owner: list[int], clusters: list[tuple[int, int]]
    ) -> list[tuple[int, int, str]]:
        """The extra finder's spans (offsets into text) as offsets into folded."""
        assert self.extra_finder is not None
        spans = self.extra_finder(text)
        if not spans:
            return []
        first: dict[int, int] = {}
        for pos, idx in enumerate(owner):
            first.setdefault(idx, pos)
        to_folded = {start: first[i] for i, (start, _) in enumerate(clusters) if i in first}
        to_folded[len(text)] = len(folded)
        return [
            (to_folded[s], to_folded[e], rule)
            for s, e, rule in spans
            if s in to_folded and e in to_folded and to_folded[e] > to_folded[s]
        ]

    def find(self, text: str) -> list[Hit]:
        """Every victim fragment in text, overlapping findings merged, in text order."""
        folded, owner, clusters = _normalize(text)
        raw = self._raw(text, folded)
        if owner is not None and self.extra_finder is not None:
            raw += self._extra(text, folded, owner, clusters)
        if not raw:
            return []
        protected = [(m.start(), m.end()) for m in TOKEN_RE.finditer(folded)]
        raw = [h for h in raw if not any(h[0] < pe and ps < h[1] for ps, pe in protected)]
        if self.keep.regex is not None:
            keep = list(self.keep.spans(folded))
            raw = [h for h in raw if not _inside((h[0], h[1]), keep)]
        if not raw:
            return []
        raw.sort(key=lambda h: (h[0], -h[1], PRIORITY[h[2]]))
        merged: list[tuple[int, int, str]] = []
        for start, end, rule in raw:
            if merged and start < merged[-1][1]:
                ls, le, lr = merged[-1]
                merged[-1] = (ls, max(le, end), rule if PRIORITY[rule] < PRIORITY[lr] else lr)
            else:
                merged.append((start, end, rule))
        hits = []
        for s, e, rule in merged:
            if owner is not None:
                s, e = clusters[owner[s]][0], clusters[owner[e - 1]][1]
            hits.append(Hit(s, e, rule, text[s:e]))
        return hits

    def redact(self, text: str) -> tuple[str, list[Hit]]:
        """text with each finding replaced by its visible token, and the findings."""
        hits = self.find(text)
        if not hits:
            return text, hits
        out, pos = [], 0
        for h in hits:
            out.append(text[pos : h.start])
            out.append(TOKENS[h.rule])
            pos = h.end
        out.append(text[pos:])
        return "".join(out), hits

    def keeps(self, value: str) -> bool:
        """True when an operator marked this exact value as attacker data that must stay."""
        return self.keep.fullmatch(value)

    def mentions_member(self, text: str) -> bool:
        """True when text contains any victim value (cheap pre-check for patterns)."""
        return bool(self.find(text))
