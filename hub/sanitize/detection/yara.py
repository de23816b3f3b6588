"""YARA rules without the member: meta, strings, names and tags redacted, written back by plyara."""

from __future__ import annotations

import re
from typing import Any

import plyara

from hub.sanitize.detection import yaraparse as yp
from hub.sanitize.detection.common import (
    DetectionChange,
    DetectionError,
    Redact,
    Renamer,
    Rewritten,
    is_public_reference,
    once_per_text,
    redact_label,
)

try:  # yara-python compiles the result when it is installed (the tests install it)
    import yara as _yara
except ImportError:  # pragma: no cover - exercised only where yara-python is absent
    _yara = None

# Meta keys naming whoever wrote the rule: the first becomes the hub, the others go.
AUTHOR_KEYS = frozenset(
    {
        "author",
        "authors",
        "owner",
        "analyst",
        "analysts",
        "contact",
        "creator",
        "created_by",
        "email",
        "mail",
        "reporter",
        "submitter",
        "poc",
        "maintainer",
        "modified_by",
        "reviewer",
        "editor",
    }
)
# A meta key with one of these words holds only the member's internal bookkeeping.
INTERNAL_KEY_WORDS = frozenset(
    {
        "case",
        "caseid",
        "ticket",
        "ticketid",
        "incident",
        "incidentid",
        "internal",
        "jira",
        "servicenow",
        "redmine",
        "tracking",
        "sr",
        "inquiry",
    }
)
REFERENCE_KEYS = frozenset({"reference", "references", "ref", "url", "link", "source"})
_KEY_SPLIT_RE = re.compile(r"[_\-]")
_IDENT_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_RULE_SET_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\*?")
_KEYWORDS = frozenset(plyara.Plyara.KEYWORDS) | {"them", "all", "any", "none", "of", "for", "in"}


class _Rule:
    """One rule being rewritten: its parsed form and the changes made to it."""

    def __init__(
        self, parsed: dict[str, Any], name: str, redact: Redact, changes: list[DetectionChange]
    ) -> None:
        self.r = parsed
        self.name = name
        self.redact = redact
        self.changes = changes

    def note(self, path: str, rule: str, before: str, after: str | None) -> None:
        self.changes.append(DetectionChange(f"{self.name}.{path}", rule, before, after))


def _meta(rule: _Rule, hub_author: str) -> None:
    kept: list[dict[str, Any]] = []
    has_author = False
    for i, entry in enumerate(rule.r.get("metadata", [])):
        ((key, value),) = entry.items()
        words = set(_KEY_SPLIT_RE.split(key.lower()))
        if rule.redact(key) != key:
            rule.note(f"meta[{i}]", "detection-custom-key", key, None)
        elif key.lower() in AUTHOR_KEYS:
            if not has_author and value != yp.escape(hub_author):
                kept.append({"author": yp.escape(hub_author)})
                rule.note(f"meta.{key}", "detection-author", str(value), hub_author)
            elif not has_author:
                kept.append({"author": value})
            else:
                rule.note(f"meta.{key}", "detection-author", str(value), None)
            has_author = True
        elif words & INTERNAL_KEY_WORDS:
            rule.note(f"meta.{key}", "detection-internal-ref", str(value), None)
        elif not isinstance(value, str):
            kept.append(entry)
        elif key.lower() in REFERENCE_KEYS and not is_public_reference(
            yp.unescape(value), rule.redact
        ):
            rule.note(f"meta.{key}", "detection-reference", yp.unescape(value), None)
        else:
            text = yp.unescape(value)
            new = rule.redact(text)
            if new != text:
                rule.note(f"meta.{key}", "detection-text", text, new)
                value = yp.escape(new)
            kept.append({key: value})
    if kept:
        rule.r["metadata"] = kept
    else:
        rule.r.pop("metadata", None)


def _victim_string(s: dict[str, Any], redact: Redact) -> dict[str, Any] | None:
    """The string with its victim value redacted, or None when it names no victim."""
    kind, value = s["type"], s["value"]
    if kind == "text":
        text = yp.unescape(value)
        new = redact(text)
        return None if new == text else {**s, "value": yp.escape(new)}
    if kind == "regex":
        body, flags = yp.regex_parts(value)
        text = yp.regex_text(body)
        new = redact(text)
        return None if new == text else {**s, "value": f"/{yp.regex_escape(new)}/{flags}"}
    texts = yp.hex_texts(value)
    redacted = [redact(t) for t in texts]
    if redacted == texts:
        return None
    mods = [m for m in s.get("modifiers", []) if m == "private"]
    new_s = {"name": s["name"], "type": "text", "value": yp.escape(" ".join(redacted))}
    return {**new_s, "modifiers": mods} if mods else new_s


def _string_sets(terms: list[str]) -> tuple[set[str], list[tuple[int, list[str]]]]:
    """Strings a condition names one by one, and each `N of (…)` set: N and its members
    (`*` for them, `name*` for a wildcard)."""
    exact: set[str] = set()
    sets: list[tuple[int, list[str]]] = []
    for i, t in enumerate(terms):
        if len(t) > 1 and t[0] in "$#@!" and not t.endswith("*"):
            exact.add(t[1:])
        if t != "of" or i + 1 >= len(terms):
            continue
        need = int(terms[i - 1]) if i > 0 and terms[i - 1].isdigit() else 1
        members: list[str] = []
        if terms[i + 1] == "them":
            members.append("*")
        elif terms[i + 1] == "(":
            for u in terms[i + 2 :]:
                if u == ")":
                    break
                if u.startswith("$"):
                    members.append(u[1:])
        sets.append((need, members))
    return exact, sets


def _matches(member: str, name: str) -> bool:
    return (
        member == "*" or (member.endswith("*") and name.startswith(member[:-1])) or (member == name)
    )


def _still_covered(name: str, remaining: list[str], sets: list[tuple[int, list[str]]]) -> bool:
    """Every set that holds the string still has N members without it, and each of its
    wildcards still matches one (YARA refuses a wildcard that matches nothing)."""
    for need, members in sets:
        if not any(_matches(m, name) for m in members):
            continue
        if sum(any(_matches(m, n) for m in members) for n in remaining) < max(need, 1):
            return False
        if any(_matches(m, name) and not any(_matches(m, n) for n in remaining) for m in members):
            return False
    return True


def _strings(rule: _Rule, allow_drop: bool) -> None:
    strings: list[dict[str, Any]] = list(rule.r.get("strings", []))
    exact, sets = _string_sets(rule.r.get("condition_terms", []))
    out: list[dict[str, Any] | None] = list(strings)
    for i, s in enumerate(strings):
        new = _victim_string(s, rule.redact)
        if new is None:
            continue
        name = s["name"][1:]
        path = f"strings.{s['name'] if name else i}"
        remaining = [x["name"][1:] for j, x in enumerate(out) if x is not None and j != i]
        removable = allow_drop and name not in exact and _still_covered(name, remaining, sets)
        if removable:
            out[i] = None
            rule.note(path, "detection-string-dropped", yp.unescape(s["value"]), None)
        else:
            out[i] = new
            rule.note(
                path,
                "detection-string-replaced",
                yp.unescape(s["value"]),
                yp.unescape(new["value"]),
            )
    kept = [s for s in out if s is not None]
    renamer = Renamer(rule.redact)
    ids: dict[str, str] = {}
    for s in kept:
        name = s["name"][1:]
        if name and (new_name := renamer(name)) != name:
            ids[name] = new_name
            rule.note(f"strings.${new_name}", "detection-name", s["name"], "$" + new_name)
            s["name"] = "$" + new_name
    if kept:
        rule.r["strings"] = kept
    else:
        rule.r.pop("strings", None)
    if ids:
        rule.r["condition_terms"] = [
            _rename_string_ref(t, ids, renamer) for t in rule.r.get("condition_terms", [])
        ]


def _rename_string_ref(term: str, ids: dict[str, str], renamer: Renamer) -> str:
    if len(term) < 2 or term[0] not in "$#@!":
        return term
    if term.endswith("*"):
        return term[0] + renamer(term[1:-1]) + "*" if term[1:-1] else term
    return term[0] + ids.get(term[1:], term[1:])


def _condition(rule: _Rule, rule_names: dict[str, str], wildcards: Renamer) -> None:
    terms: list[str] = []
    for t in rule.r.get("condition_terms", []):
        new = t
        if t in rule_names:
            new = rule_names[t]
        elif _RULE_SET_RE.fullmatch(t) and t not in _KEYWORDS:
            # a rule-set wildcard (`any of (SEPCO_*)`) or an identifier naming a member
            new = wildcards(t)
        elif len(t) >= 2 and t[0] == t[-1] == '"':
            text = yp.unescape(t[1:-1])
            red = rule.redact(text)
            new = t if red == text else f'"{yp.escape(red)}"'
        elif len(t) >= 2 and t[0] == "/":
            body, flags = yp.regex_parts(t)
            text = yp.regex_text(body)
            red = rule.redact(text)
            new = t if red == text else f"/{yp.regex_escape(red)}/{flags}"
        if new != t and t not in rule_names:
            rule.note("condition", "detection-text", t, new)
        terms.append(new)
    if terms:
        rule.r["condition_terms"] = terms


def _rename_rules(
    rules: list[dict[str, Any]], redact: Redact, changes: list[DetectionChange]
) -> dict[str, str]:
    renamer = Renamer(redact)
    taken = {r["rule_name"] for r in rules}
    names: dict[str, str] = {}
    for r in rules:
        old = r["rule_name"]
        new = renamer(old)
        if new != old:
            base, n = new, 2
            while new in taken:
                new, n = f"{base}_{n}", n + 1
            taken.add(new)
            names[old] = new
            changes.append(DetectionChange(f"{new}.name", "detection-name", old, new))
    return names


def _tags(rule: _Rule) -> None:
    tags = rule.r.get("tags", [])
    kept = [t for t in tags if redact_label(t, rule.redact) == t]
    for t in tags:
        if t not in kept:
            rule.note("tags", "detection-tag", t, None)
    if kept:
        rule.r["tags"] = kept
    else:
        rule.r.pop("tags", None)


def _compiles(source: str) -> bool:
    if _yara is None:
        return True
    try:
        _yara.compile(source=source)
    except Exception:  # noqa: BLE001 - yara.SyntaxError and friends
        return False
    return True


def _rewrite(source: str, redact: Redact, hub_author: str, *, allow_drop: bool) -> Rewritten:
    rules, imports, comments = yp.parse(source)
    changes: list[DetectionChange] = []
    if comments:
        changes.append(DetectionChange("comments", "detection-comment", f"{comments}", None))
    kept_imports = []
    for m in imports:
        if redact(m) == m and _IDENT_RE.fullmatch(m):
            kept_imports.append(m)
        else:
            changes.append(DetectionChange("imports", "detection-import", m, None))
    rule_names = _rename_rules(rules, redact, changes)
    wildcards = Renamer(redact, wildcard=True)
    for r in rules:
        r["rule_name"] = rule_names.get(r["rule_name"], r["rule_name"])
        rule = _Rule(r, r["rule_name"], redact, changes)
        _tags(rule)
        _meta(rule, hub_author)
        _strings(rule, allow_drop)
        _condition(rule, rule_names, wildcards)
    return Rewritten(yp.rebuild(rules, kept_imports), tuple(changes))


def rewrite_yara(source: str, redact: Redact, *, hub_author: str) -> Rewritten:
    """source with every victim value in meta, strings, names and tags redacted, comments
    dropped; the result parses again (and compiles, where yara-python is installed and the
    original compiled)."""
    redact = once_per_text(redact)
    original_compiles: bool | None = None  # asked only when a rewrite does not compile
    for allow_drop in (True, False):
        out = _rewrite(source, redact, hub_author, allow_drop=allow_drop)
        try:
            yp.parse(out.text)
        except DetectionError:
            continue
        if _compiles(out.text):
            return out
        if original_compiles is None:
            original_compiles = _compiles(source)
        if not original_compiles:  # e.g. external variables: plyara's word is all we have
            return out
    raise DetectionError("the YARA rule could not be rewritten without the member's details")
