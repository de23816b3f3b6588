"""The hub's sanitization policy: typed, JSON-serializable data, mergeable per member."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Action = Literal["drop", "redact", "keep"]

TLP2_EXTENSION = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
PREDEFINED_EXTENSIONS = (
    "archive-ext",
    "ntfs-ext",
    "pdf-ext",
    "raster-image-ext",
    "windows-pebinary-ext",
    "http-request-ext",
    "icmp-ext",
    "socket-ext",
    "tcp-ext",
    "unix-account-ext",
    "windows-process-ext",
    "windows-service-ext",
)
PUBLIC_SOURCES = ("mitre-attack", "mitre-mobile-attack", "mitre-ics-attack", "capec", "cve", "cwe")


class Policy(BaseModel):
    """What to do with each channel of victim data; every kept string is still redacted."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    custom_properties: Literal["drop", "keep"] = "drop"
    custom_objects: Literal["drop", "keep"] = "drop"
    external_references: Literal["drop", "redact", "keep"] = "redact"
    sighting_where_sighted: Literal["rewrite-to-sector", "drop"] = "rewrite-to-sector"
    email_headers: Action = "redact"
    keep_external_received_lines: bool = True
    user_accounts: Literal["drop", "redact"] = "drop"
    process_details: Literal["drop", "redact"] = "redact"
    artifacts_payload: Literal["drop", "keep"] = "drop"
    location_precision: Literal["drop", "keep"] = "drop"
    malware_analysis_tooling: Action = "redact"
    free_text: Literal["redact", "drop"] = "redact"
    timestamps: Literal["off", "hour", "day"] = "off"
    allowed_external_sources: tuple[str, ...] = PUBLIC_SOURCES
    allowed_custom_properties: tuple[str, ...] = ()
    allowed_custom_types: tuple[str, ...] = ()
    allowed_extensions: tuple[str, ...] = Field(default=(TLP2_EXTENSION, *PREDEFINED_EXTENSIONS))
    # A sector with fewer members names its member; below this, generalise to the hub.
    min_sector_members: int = Field(default=3, ge=1)

    def merged(self, override: Mapping[str, Any] | None) -> Policy:
        """This policy with a member's override applied (allow-lists are replaced, not joined)."""
        if not override:
            return self
        return Policy.model_validate({**self.model_dump(), **dict(override)})

    def to_json(self) -> str:
        """The stored form."""
        return self.model_dump_json()

    @classmethod
    def from_json(cls, data: str | bytes) -> Policy:
        """Load the stored form."""
        return cls.model_validate_json(data)
