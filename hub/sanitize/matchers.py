"""One compiled matcher per asset kind, used by every channel.

A matcher is a single regular expression over NFKC-normalised, case-folded text. Its edges
carry zero-width token boundaries, so the same compiled expression answers both questions
the sanitizer asks: does a whole value (a `domain-name`, a host, an account) match
(`fullmatch`), and where does the asset occur in running text (`spans`). A host glob with
a character class therefore works in a description exactly as in an observable.

Every expression is linear on attacker-controlled text: alternatives are merged into a
trie (one branch per distinct next atom, so the work per position is bounded by the
alphabet, not by the number of registered values), repetitions are bounded or possessive,
and every expression that may start with a repetition is anchored by a negative
look-behind on the same class, so it can only start where a token starts.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from hub.sanitize.profile import MemberProfile

# Separators a name may be written with: "Kumotori Heavy", "Kumotori-Heavy", "KumotoriHeavy".
SEP_CHARS = r"\s\-_.・,"
SEP = f"[{SEP_CHARS}]*+"
# A defanged or plain dot between domain labels.
DOT = r"(?:\.|\[\.\]|\(\.\)|\{\.\}|\[dot\]|\(dot\))"
ASCII_BEFORE = "(?<![a-z0-9])"
ASCII_AFTER = "(?![a-z0-9])"
HOST_BEFORE = r"(?<![a-z0-9_\-.])"
# A host matched by its first label is redacted with the rest of its name.
HOST_AFTER = r"(?:\.[a-z0-9_\-]++)*+(?![a-z0-9_\-])"
HOST_CHAR = r"[a-z0-9_\-]"
# Host names are at most 253 characters: a bounded wildcard keeps every glob linear.
HOST_STAR = r"[a-z0-9_\-.]{0,253}"
ID_STAR = "[a-z0-9]{0,64}"
_END = ""
Trie = dict[str, "Trie"]


def fold(text: str) -> str:
    """NFKC-normalised and case-folded, the form every matcher reads."""
    if text.isascii():
        return text.lower()
    return unicodedata.normalize("NFKC", text).casefold()


def _is_ascii_word(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _trie(seqs: Iterable[Sequence[str]]) -> str | None:
    """One regex matching any of the atom sequences, shared prefixes merged."""
    root: Trie = {}
    count = 0
    for seq in seqs:
        if not seq:
            continue
        node = root
        for atom in seq:
            node = node.setdefault(atom, {})
        node[_END] = {}
        count += 1
    if not count:
        return None

    def depth(node: Trie) -> int:
        return 1 + max((depth(c) for c in node.values()), default=0)

    def emit(node: Trie) -> str:
        # Deeper branches first: at one position the longest registered value wins.
        children = sorted(
            ((a, c) for a, c in node.items() if a != _END), key=lambda ac: -depth(ac[1])
        )
        branches = [a + emit(child) for a, child in children]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if _END in node else body

    return emit(root)


def phrase_atoms(phrase: str, *, bounded: bool = True) -> tuple[str, ...]:
    """Atoms of a name or term: its characters, any separator between its words, and an
    ASCII word boundary at each edge that is an ASCII letter or digit."""
    folded = fold(phrase).strip()
    parts = [p for p in re.split(f"[{SEP_CHARS}]+", folded) if p]
    if not parts:
        return ()
    atoms: list[str] = []
    if bounded and _is_ascii_word(parts[0][0]):
        atoms.append(ASCII_BEFORE)
    for i, part in enumerate(parts):
        if i:
            atoms.append(SEP)
        atoms.extend(re.escape(c) for c in part)
    if bounded and _is_ascii_word(parts[-1][-1]):
        atoms.append(ASCII_AFTER)
    return tuple(atoms)


def _glob_class(body: str) -> str:
    negated = body[:1] in ("!", "^")
    if negated:
        body = body[1:]
    inner = "".join("\\" + c if c in "\\]^[" else c for c in body)
    return f"(?:(?![{inner}]){HOST_CHAR})" if negated else f"[{inner}]"


def glob_atoms(pattern: str) -> tuple[str, ...]:
    """Atoms of a host-name glob (`*`, `?`, `[0-9]`, `[!x]`); () when it has no literal."""
    pat = fold(pattern).strip()
    if not re.search(r"[^\W_]", re.sub(r"\[[^\]]*\]", "x", pat).replace("*", "").replace("?", "")):
        return ()
    atoms = [HOST_BEFORE]
    i = 0
    while i < len(pat):
        ch = pat[i]
        if ch == "*":
            if atoms[-1] != HOST_STAR:
                atoms.append(HOST_STAR)
        elif ch == "?":
            atoms.append(HOST_CHAR)
        elif ch == "[" and (close := pat.find("]", i + 2)) != -1:
            atoms.append(_glob_class(pat[i + 1 : close]))
            i = close
        elif ch == ".":
            atoms.append(DOT)
        else:
            atoms.append(re.escape(ch))
        i += 1
    atoms.append(HOST_AFTER)
    return tuple(atoms)


def id_format_atoms(template: str) -> tuple[str, ...]:
    """Atoms of an id format: `#` a digit, `@` an ASCII letter, `*` a run of letters or
    digits, everything else literal; whole tokens only."""
    tpl = fold(template).strip()
    if not re.search(r"[a-z0-9#@]", tpl):
        return ()
    atoms: list[str] = []
    if _is_ascii_word(tpl[0]) or tpl[0] in "#@*":
        atoms.append(ASCII_BEFORE)
    for ch in tpl:
        if ch == "#":
            atoms.append("[0-9]")
        elif ch == "@":
            atoms.append("[a-z]")
        elif ch == "*":
            atoms.append(ID_STAR)
        else:
            atoms.append(re.escape(ch))
    if _is_ascii_word(tpl[-1]) or tpl[-1] in "#@*":
        atoms.append(ASCII_AFTER)
    return tuple(atoms)


def domain_atoms(domain: str) -> tuple[str, ...]:
    """Atoms of a domain, defanged dots accepted; sub-domains are added by the matcher."""
    labels = [x for x in fold(domain).strip().rstrip(".").split(".") if x]
    atoms: list[str] = []
    for i, label in enumerate(labels):
        if i:
            atoms.append(DOT)
        atoms.extend(re.escape(c) for c in label)
    return tuple(atoms)


@dataclass(frozen=True)
class Matcher:
    """One asset kind's compiled expression and the rule its findings are recorded under."""

    rule: str
    regex: re.Pattern[str] | None
    # Host globs also match the first label of a fully qualified name.
    first_label: bool = False

    def fullmatch(self, value: str) -> bool:
        """True when the whole value is one of the kind's assets."""
        if self.regex is None:
            return False
        folded = fold(value).strip()
        if self.regex.fullmatch(folded) is not None:
            return True
        return (
            self.first_label
            and "." in folded
            and (self.regex.fullmatch(folded.split(".", 1)[0]) is not None)
        )

    def spans(self, folded: str) -> Iterator[tuple[int, int]]:
        """(start, end) of every occurrence in already folded text."""
        if self.regex is None:
            return
        for m in self.regex.finditer(folded):
            if m.end() > m.start():
                yield m.start(), m.end()


def _compile(
    rule: str,
    seqs: Iterable[Sequence[str]],
    *,
    prefix: str = "",
    suffix: str = "",
    first_label: bool = False,
) -> Matcher:
    body = _trie(seqs)
    if body is None:
        return Matcher(rule, None)
    return Matcher(rule, re.compile(prefix + body + suffix), first_label)


def phrases(rule: str, values: Iterable[str], *, min_len: int = 2) -> Matcher:
    """Matcher for names, terms, sites, teams: token-bounded at ASCII edges."""
    seqs = [a for v in values if len(fold(v).strip()) >= min_len and (a := phrase_atoms(v))]
    return _compile(rule, seqs)


def globs(rule: str, patterns: Iterable[str]) -> Matcher:
    """Matcher for host-name globs."""
    return _compile(rule, [a for p in patterns if (a := glob_atoms(p))], first_label=True)


def id_formats(rule: str, templates: Iterable[str]) -> Matcher:
    """Matcher for id-format templates."""
    return _compile(rule, [a for t in templates if (a := id_format_atoms(t))])


def domains(rule: str, values: Iterable[str]) -> Matcher:
    """Matcher for domains and their sub-domains, never a look-alike that merely contains
    one (`kumotori-hi.co.jp.login-check.net` is not `kumotori-hi.co.jp`)."""
    seqs = [a for v in values if (a := domain_atoms(v))]
    return _compile(
        rule,
        seqs,
        prefix=r"(?:(?<![a-z0-9_\-.])|(?<=%[0-9a-f][0-9a-f]))(?:[a-z0-9_\-]++" + DOT + ")*",
        suffix=r"(?![a-z0-9_\-]|" + DOT + r"[a-z0-9_\-])",
    )


# Company-form words around a legal name: "関西グリッド電力株式会社" is written
# "関西グリッド電力" in running text, "Kansai Grid Power Co., Ltd." as "Kansai Grid Power".
_COMPANY_FORMS = re.compile(
    r"(?i)^(?:株式会社|有限会社|合同会社|（株）|\(株\)|㈱)\s*|"
    r"\s*(?:株式会社|有限会社|合同会社|（株）|\(株\)|㈱|,?\s*(?:co\.?,?\s*ltd\.?|ltd\.?|"
    r"inc\.?|corp\.?|corporation|k\.k\.|llc|plc|gmbh|s\.a\.|co\.))\s*$"
)


def name_variants(name: str) -> list[str]:
    """A registered name and the same name without its company form, when that is distinct."""
    if len(name) > 300:
        return [name]
    short = _COMPANY_FORMS.sub("", name.strip()).strip()
    return [name] if not short or short == name.strip() or len(short) < 2 else [name, short]


@dataclass(frozen=True)
class Registry:
    """Every asset kind of a (joined) member registry as compiled matchers."""

    names: Matcher
    terms: Matcher
    sites: Matcher
    teams: Matcher
    hosts: Matcher
    ids: Matcher
    domains: Matcher

    def text_matchers(self) -> tuple[Matcher, ...]:
        """The matchers free text is searched with, in priority order."""
        return (self.domains, self.hosts, self.ids, self.names, self.teams, self.sites, self.terms)

    def host_is_member(self, host: str) -> bool:
        """A whole host value that is one of the registry's domains or host patterns."""
        return self.domains.fullmatch(host) or self.hosts.fullmatch(host)


@functools.lru_cache(maxsize=64)
def registry(profile: MemberProfile) -> Registry:
    """The compiled matchers of a profile (cached: the registry changes rarely)."""
    return Registry(
        names=phrases(
            "member-name",
            [v for n in (*profile.names, *profile.group_companies) for v in name_variants(n)],
        ),
        terms=phrases("term", profile.terms),
        sites=phrases("member-site", profile.sites),
        teams=phrases("member-team", profile.teams),
        hosts=globs("hostname", profile.hostname_patterns),
        ids=id_formats("member-id", profile.id_formats),
        domains=domains("member-domain", profile.all_domains),
    )


_WIDE = re.compile("[\u3005\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uff66-\uff9f\uac00-\ud7af]")


def long_enough(value: str) -> bool:
    """A registered term or an operator's redaction is long enough to match safely, counted
    by script: two kanji or kana make a Japanese surname (佐藤), two Latin letters nothing."""
    text = fold(value).strip()
    wide = len(_WIDE.findall(text))
    narrow = sum(c.isalnum() for c in text) - wide
    # A kanji or kana carries about as much as one and a half letters: "佐藤" and "KHI" are
    # long enough, "佐" and "KH" are not, "Project 雷" is.
    return 3 * wide + 2 * narrow >= 6
