"""Per-call state shared by the object rules: profile, policy, redactors, recorder."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hub.sanitize.patterns import PatternRedactor
from hub.sanitize.people import PeopleRedactor
from hub.sanitize.policy import Policy
from hub.sanitize.profile import MemberProfile
from hub.sanitize.report import Recorder, mask
from hub.sanitize.text import TOKENS, TextRedactor
from hub.stix.tlp import OFFICIAL_MARKINGS

# TLP 1.0 (stix2 built-ins) and TLP 2.0 (OASIS extension) marking definitions: never altered.
TLP_IDS = frozenset(OFFICIAL_MARKINGS)

# Properties that hold identifiers, timestamps, hashes or vocabulary, never free text.
NON_TEXT_KEYS = frozenset(
    {
        "id",
        "type",
        "spec_version",
        "created",
        "modified",
        "pattern",
        "pattern_type",
        "pattern_version",
        "hashes",
        "payload_bin",
        "lang",
        "encoding",
        "valid_from",
        "valid_until",
        "first_seen",
        "last_seen",
        "first_observed",
        "last_observed",
        "published",
        "start",
        "end",
        "number_observed",
        "count",
        "confidence",
        "revoked",
        "identity_class",
        "selectors",
        "definition_type",
        "is_multipart",
        "extension_type",
        "version",
        "protocols",
        "src_port",
        "dst_port",
        "number",
        "serial_number",
        "date",
        "created_time",
        "modified_time",
        "accessed_time",
        "ctime",
        "mtime",
        "atime",
        "submitted",
        "analysis_started",
        "analysis_ended",
        "result",
        "is_family",
        "schema",
        "relationship_type",
    }
)


@dataclass
class Context:
    """Everything the object rules need for one sanitize() call."""

    profile: MemberProfile
    policy: Policy
    secret: bytes
    hub_id: str
    sector_id: str
    redactor: TextRedactor
    patterns: PatternRedactor
    recorder: Recorder = field(default_factory=Recorder)
    member_identities: set[str] = field(default_factory=set)
    people: PeopleRedactor | None = None
    # Set before the object loop: the sector identity is the hub's "a member" identity.
    small_sector: bool = False
    # software objects only a malware-analysis's tooling refers to.
    analysis_software: set[str] = field(default_factory=set)
    # file objects of the victim's own data (in its shares or document folders).
    victim_files: set[str] = field(default_factory=set)
    # user-account objects the report attributes to the attacker.
    attacker_accounts: set[str] = field(default_factory=set)
    # Objects whose hub id is fixed by a rule (a member statement becomes the hub's).
    fixed_ids: dict[str, str] = field(default_factory=dict)

    def redact_text(self, oid: str, path: str, text: str) -> str:
        """Free-text redaction of one string, each finding recorded."""
        new, hits = self.redactor.redact(text)
        for h in hits:
            self.recorder.add(oid, path, h.rule, h.fragment, TOKENS[h.rule])
        if self.people is not None:
            found = [h for h in self.people.find(new) if not self.redactor.keeps(h.fragment)]
            for h in reversed(found):
                new = new[: h.start] + TOKENS[h.rule] + new[h.end :]
            for h in found:
                self.recorder.add(oid, path, h.rule, h.fragment, TOKENS[h.rule])
        return new

    def mentions_victim(self, text: str) -> bool:
        return bool(self.redactor.find(text)) or (
            self.people is not None and bool(self.people.find(text))
        )

    def redact_tree(self, oid: str, path: str, value: Any) -> Any:
        """Free-text redaction of every string below value, keys included."""
        if isinstance(value, str):
            return self.redact_text(oid, path, value)
        if isinstance(value, list):
            return [self.redact_tree(oid, f"{path}[{i}]", v) for i, v in enumerate(value)]
        if isinstance(value, dict):
            out = {}
            for k, v in value.items():
                sub = f"{path}.{k}" if path else k
                if k in NON_TEXT_KEYS or k.endswith(("_ref", "_refs")):
                    out[k] = v
                    continue
                if isinstance(k, str) and self.mentions_victim(k):
                    # A redaction token is not a valid STIX dictionary key ([a-zA-Z0-9_-]):
                    # an entry whose key names the member goes whole.
                    masked = mask(k, "dictionary-key") or "***"
                    where = f"{path}.{masked}" if path else masked
                    self.recorder.add(oid, where, "dictionary-key", masked, None, masked=True)
                    continue
                out[k] = self.redact_tree(oid, sub, v)
            return out
        return value
