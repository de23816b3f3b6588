"""Sigma rules without the member: author, text, references and detection values redacted,
written back with PyYAML's safe dumper and parsed again by pySigma."""

from __future__ import annotations

import re
from typing import Any

from hub.sanitize import people
from hub.sanitize.detection import sigmaparse as sp
from hub.sanitize.detection.common import (
    DetectionChange,
    Redact,
    Renamer,
    Rewritten,
    is_public_reference,
    once_per_text,
    redact_label,
)
from hub.sanitize.detection.sigmafilters import environment_token, excluded_only
from hub.sanitize.detection.yaraparse import regex_text

# The keys of the Sigma specification (rules, correlations, filters, collections); any other
# top-level key is the member's own and goes.
STANDARD_KEYS = frozenset(
    {
        "title",
        "id",
        "name",
        "related",
        "taxonomy",
        "status",
        "description",
        "license",
        "references",
        "author",
        "date",
        "modified",
        "tags",
        "logsource",
        "detection",
        "fields",
        "falsepositives",
        "level",
        "scope",
        "correlation",
        "filter",
        "action",
        "generate",
    }
)
# Vocabulary and dates, checked by pySigma: kept as they are.
KEPT_KEYS = frozenset(
    {"id", "taxonomy", "status", "date", "modified", "level", "action", "generate"}
)
TEXT_KEYS = frozenset({"title", "description", "license"})
_DROPPED = object()  # a value taken out of its list
_CONDITION_SPLIT_RE = re.compile(r"(\s+|[()|])")
_CONDITION_WORDS = frozenset({"and", "or", "not", "of", "all", "them", "1", "any", "none"})


class _Doc:
    """One document being rewritten, with the shared renamers and the list of changes."""

    def __init__(
        self,
        index: int,
        redact: Redact,
        names: Renamer,
        fields: Renamer,
        changes: list[DetectionChange],
    ) -> None:
        self.prefix = f"[{index}]." if index else ""
        self.redact = redact
        self.names = names
        self.fields = fields
        self.changes = changes

    def note(self, path: str, rule: str, before: Any, after: str | None) -> None:
        self.changes.append(DetectionChange(self.prefix + path, rule, str(before), after))

    def text(self, path: str, value: Any, *, prose: bool = False) -> Any:
        if not isinstance(value, str):
            return value
        new = self.redact(value)
        if prose:
            new = people.without_probable_people(new)
        if new != value:
            self.note(path, "detection-text", value, new)
        return new

    def labels(self, path: str, values: Any) -> Any:
        """A list of labels (tags, fields): a label that names a member goes."""
        if not isinstance(values, list):
            return self.text(path, values)
        kept = []
        for v in values:
            if isinstance(v, str) and redact_label(v, self.redact) != v:
                self.note(path, "detection-tag", v, None)
            else:
                kept.append(v)
        return kept

    def references(self, values: Any) -> Any:
        if not isinstance(values, list):
            values = [values]
        kept = []
        for v in values:
            if isinstance(v, str) and is_public_reference(v, self.redact):
                kept.append(v)
            else:
                self.note("references", "detection-reference", v, None)
        return kept

    def related(self, values: Any) -> Any:
        if not isinstance(values, list):
            return values
        return [
            {k: v for k, v in item.items() if k in ("id", "type")}
            if isinstance(item, dict)
            else item
            for item in values
        ]

    def field_key(self, path: str, key: Any) -> Any:
        if not isinstance(key, str):
            return key
        field, sep, modifiers = key.partition("|")
        new = self.fields(field) if field else field
        if new != field:
            self.note(path, "detection-field", field, new)
        return new + sep + modifiers

    def values(self, path: str, value: Any, modifiers: frozenset[str] = frozenset()) -> Any:
        """Detection values below a selection: keys are field names, leaves are redacted (a
        regular expression as the text it matches, a victim's network range dropped)."""
        if isinstance(value, dict):
            out: dict[Any, Any] = {}
            for k, v in value.items():
                key = self.field_key(path, k)
                mods = frozenset(key.split("|")[1:]) if isinstance(key, str) else frozenset()
                new = self.values(f"{path}.{key}", v, mods)
                # a lone range cannot go without widening the selection: pySigma refuses it
                out[key] = self.redact(v) if new is _DROPPED else new
            return out
        if isinstance(value, list):
            items = [self.values(path, v, modifiers) for v in value]
            kept = [v for v in items if v is not _DROPPED]
            return kept if kept or not items else [self.redact(str(v)) for v in value]
        if not isinstance(value, str):
            return value
        if "re" in modifiers:
            text = regex_text(value)
            red = self.redact(text)
            new = value if red == text else re.escape(red)
        else:
            new = self.redact(value)
        if new == value:
            return value
        if "cidr" in modifiers:
            self.note(path, "detection-value", value, None)
            return _DROPPED
        self.note(path, "detection-value", value, new)
        return new

    def condition(self, path: str, value: Any) -> Any:
        if isinstance(value, list):
            return [self.condition(path, v) for v in value]
        if not isinstance(value, str):
            return value
        parts = _CONDITION_SPLIT_RE.split(value)
        out = [
            p
            if not p or p.isspace() or p in "()|" or p.lower() in _CONDITION_WORDS or p.isdigit()
            else self.names(p)
            for p in parts
        ]
        new = "".join(out)
        if new != value:
            self.note(path, "detection-name", value, new)
        return new

    def detection(self, section: str, block: Any) -> Any:
        if not isinstance(block, dict):
            return block
        out: dict[str, Any] = {}
        cond = block.get("condition")
        excluded = excluded_only(
            [c for c in (cond if isinstance(cond, list) else [cond]) if isinstance(c, str)],
            [k for k in block if isinstance(k, str) and k not in ("condition", "timeframe")],
        )
        for key, value in block.items():
            path = f"{section}.{key}"
            if key == "condition":
                out[key] = self.condition(path, value)
            elif key in ("timeframe",):
                out[key] = value
            elif key == "rules" and section == "filter":
                out[key] = self.rule_refs(path, value)
            else:
                name = self.names(key) if isinstance(key, str) else key
                if name != key:
                    self.note(f"{section}.{name}", "detection-name", key, name)
                out[name] = self.values(f"{section}.{name}", value)
                if key in excluded:
                    out[name] = self.environment(f"{section}.{name}", out[name])
        return out

    def environment(self, path: str, value: Any, token: str | None = None) -> Any:
        """An excluded selection (`not filter_…`): the accounts and hosts it names are the
        member's own, whether or not the redactor knows them."""
        if isinstance(value, dict):
            out: dict[Any, Any] = {}
            for k, v in value.items():
                field = k.partition("|")[0] if isinstance(k, str) else ""
                out[k] = self.environment(f"{path}.{k}", v, environment_token(field))
            return out
        if isinstance(value, list):
            return [self.environment(path, v, token) for v in value]
        if token is None or not isinstance(value, str) or value == token:
            return value
        self.note(path, "detection-filter-value", value, token)
        return token

    def rule_refs(self, path: str, value: Any) -> Any:
        """Rule names (renamed alike) or ids (kept) that a correlation or filter points at."""
        if isinstance(value, list):
            return [self.rule_refs(path, v) for v in value]
        if isinstance(value, str) and not _is_uuid(value):
            new = self.names(value)
            if new != value:
                self.note(path, "detection-name", value, new)
            return new
        return value

    def correlation(self, block: Any) -> Any:
        if not isinstance(block, dict):
            return block
        out: dict[str, Any] = {}
        for key, value in block.items():
            path = f"correlation.{key}"
            if key == "rules":
                out[key] = self.rule_refs(path, value)
            elif key == "group-by":
                out[key] = (
                    [self.field_key(path, v) for v in value] if isinstance(value, list) else value
                )
            elif key in ("type", "timespan", "generate"):
                out[key] = value
            elif key == "condition" and isinstance(value, dict):
                out[key] = {
                    k: self.field_key(path, v) if k == "field" else v for k, v in value.items()
                }
            else:
                out[key] = self.values(path, value)
        return out


def _is_uuid(value: str) -> bool:
    return re.fullmatch(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}", value) is not None


def _rewrite_doc(doc: dict[str, Any], d: _Doc, hub_author: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in doc.items():
        if key not in STANDARD_KEYS:
            d.note(
                str(key) if d.redact(str(key)) == str(key) else "custom-key",
                "detection-custom-key",
                key,
                None,
            )
        elif key == "author":
            if value != hub_author:
                d.note("author", "detection-author", value, hub_author)
            out[key] = hub_author
        elif key in KEPT_KEYS:
            out[key] = value
        elif key in TEXT_KEYS:
            out[key] = d.text(key, value, prose=key == "description")
        elif key == "falsepositives":
            out[key] = (
                [d.text(key, v, prose=True) for v in value]
                if isinstance(value, list)
                else d.text(key, value, prose=True)
            )
        elif key == "references":
            refs = d.references(value)
            if refs:
                out[key] = refs
        elif key in ("tags", "fields"):
            out[key] = d.labels(key, value)
        elif key == "related":
            out[key] = d.related(value)
        elif key == "name":
            out[key] = d.rule_refs(key, value)
        elif key == "logsource" and isinstance(value, dict):
            out[key] = {
                k: d.text(f"logsource.{k}", v)
                for k, v in value.items()
                if isinstance(k, str) and d.redact(k) == k
            }
        elif key in ("detection", "filter"):
            out[key] = d.detection(key, value)
        elif key == "correlation":
            out[key] = d.correlation(value)
        else:
            out[key] = d.values(key, value)
    return out


def rewrite_sigma(source: str, redact: Redact, *, hub_author: str) -> Rewritten:
    """source with the author set to the hub, internal references and custom keys dropped, and
    every title, description, false positive, field and detection value redacted; the result
    is parsed again by pySigma."""
    redact = once_per_text(redact)
    docs = sp.load(source)
    sp.check(docs)
    changes: list[DetectionChange] = []
    names = Renamer(redact, wildcard=True)
    fields = Renamer(redact)
    out = [
        _rewrite_doc(doc, _Doc(i, redact, names, fields, changes), hub_author)
        for i, doc in enumerate(docs)
    ]
    text = sp.dump(out)
    sp.check(sp.load(text))
    return Rewritten(text, tuple(changes))
