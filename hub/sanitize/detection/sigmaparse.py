"""Loading Sigma YAML under bounds (safe loader, no alias bombs, no deep nesting) and pySigma."""

from __future__ import annotations

import copy
import re
from typing import Any

import yaml

from hub.sanitize.detection.common import MAX_NESTING, DetectionError, check_size, one_line

MAX_DOCUMENTS = 50
MAX_ALIASES = 8
MAX_EVENTS = 50_000
MAX_CONDITION_CHARS = 4_000
MAX_CONDITION_NESTING = 12

_CONDITION_TOKEN_RE = re.compile(r"[()]|[^\s()]+")
_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_Dumper: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class _UniqueKeyLoader(_Loader):  # type: ignore[misc, valid-type]
    """The safe loader, refusing a key given twice (the second would hide the first)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if not isinstance(key, str | int | float | bool) or key is None:
                raise yaml.constructor.ConstructorError(
                    None, None, "a mapping key must be a plain value", key_node.start_mark
                )
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)  # type: ignore[no-any-return]


class _NoAliasDumper(_Dumper):  # type: ignore[misc, valid-type]
    """The safe dumper without anchors, writing multi-line text as a literal block."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_NoAliasDumper.add_representer(str, _represent_str)


def _check_events(source: str) -> None:
    """Walk the event stream (no tree built yet) to bound depth, aliases and size."""
    depth = aliases = docs = count = 0
    for event in yaml.parse(source, Loader=_Loader):
        count += 1
        if count > MAX_EVENTS:
            raise DetectionError(f"invalid Sigma rule: more than {MAX_EVENTS} YAML nodes")
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_NESTING:
                raise DetectionError(
                    f"invalid Sigma rule: YAML nested deeper than {MAX_NESTING} levels"
                )
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
        elif isinstance(event, yaml.AliasEvent):
            aliases += 1
            if aliases > MAX_ALIASES:
                raise DetectionError(f"invalid Sigma rule: more than {MAX_ALIASES} YAML aliases")
        elif isinstance(event, yaml.DocumentStartEvent):
            docs += 1
            if docs > MAX_DOCUMENTS:
                raise DetectionError(f"invalid Sigma rule: more than {MAX_DOCUMENTS} documents")


def load(source: str) -> list[dict[str, Any]]:
    """The YAML documents of a Sigma source, each a mapping, or a DetectionError."""
    check_size(source, "the Sigma source")
    try:
        _check_events(source)
        docs = list(yaml.load_all(source, Loader=_UniqueKeyLoader))  # noqa: S506 - a safe loader
    except DetectionError:
        raise
    except (yaml.YAMLError, RecursionError, ValueError, TypeError) as exc:
        raise DetectionError(f"invalid Sigma rule: YAML: {one_line(exc)}") from None
    docs = [d for d in docs if d is not None]
    if not docs:
        raise DetectionError("invalid Sigma rule: the source holds no rule")
    for d in docs:
        if not isinstance(d, dict):
            raise DetectionError("invalid Sigma rule: each YAML document must be a mapping")
    return docs


def dump(docs: list[dict[str, Any]]) -> str:
    """YAML text for the documents (safe dumper, Unicode kept, no anchors)."""
    return yaml.dump_all(
        docs,
        Dumper=_NoAliasDumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=1_000_000,
    )


def _check_condition(condition: str) -> None:
    if len(condition) > MAX_CONDITION_CHARS:
        raise DetectionError(
            f"invalid Sigma rule: a condition is longer than {MAX_CONDITION_CHARS} characters"
        )
    # pyparsing recurses once per parenthesis and once per `not`: both are bounded.
    depth = nots = 0
    for part in _CONDITION_TOKEN_RE.findall(condition):
        nots = nots + 1 if part.lower() == "not" else 0
        if part == "(":
            depth += 1
        elif part == ")":
            depth -= 1
        if depth > MAX_CONDITION_NESTING or nots > MAX_CONDITION_NESTING:
            raise DetectionError(
                f"invalid Sigma rule: a condition nests parentheses or `not` deeper "
                f"than {MAX_CONDITION_NESTING} levels"
            )


def conditions(docs: list[dict[str, Any]]) -> list[str]:
    """Every condition string in the documents (detections and filters)."""
    out: list[str] = []
    for d in docs:
        for section in ("detection", "filter"):
            block = d.get(section)
            if isinstance(block, dict):
                cond = block.get("condition")
                out.extend(
                    c for c in (cond if isinstance(cond, list) else [cond]) if isinstance(c, str)
                )
    return out


def check(docs: list[dict[str, Any]]) -> None:
    """pySigma accepts the documents as a rule collection, every condition included."""
    from sigma.collection import SigmaCollection
    from sigma.rule import SigmaRule

    for cond in conditions(docs):
        _check_condition(cond)
    try:
        collection = SigmaCollection.from_dicts(copy.deepcopy(docs))
        for rule in collection.rules:
            if isinstance(rule, SigmaRule):
                for parsed in rule.detection.parsed_condition:
                    parsed.parse()
    except Exception as exc:  # noqa: BLE001 - pySigma and pyparsing raise assorted errors
        raise DetectionError(f"invalid Sigma rule: {one_line(exc)}") from None
