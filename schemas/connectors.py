"""Request and response bodies of the connectors admin API (sources, peers, webhooks)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from hub.models import AuthKind, DeliveryState, SourceMode


class AuthIn(BaseModel):
    """How to authenticate to the remote server; the password or token is never shown again."""

    model_config = ConfigDict(extra="forbid")

    kind: AuthKind = AuthKind.NONE
    username: str | None = Field(default=None, max_length=200)
    credential: str | None = Field(default=None, max_length=4000, description="password or token")


class SourceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(examples=["jpcert-feed"])
    api_root_url: str = Field(examples=["https://taxii.example.org/api1/"])
    collections: list[str] = Field(min_length=1, max_length=100, description="remote ids")
    mode: SourceMode = Field(
        description="member: sanitized and reviewed as that member; "
        "validate: a trusted feed, validated and published"
    )
    member: str | None = Field(default=None, description="member slug (member mode)")
    sectors: list[str] = Field(default_factory=list, max_length=200)
    default_tlp: str = Field(default="amber", description="for objects that carry no TLP")
    auto_approve: bool = False
    auth: AuthIn = AuthIn()
    ca_file: str | None = Field(default=None, description="PEM bundle to verify the server")
    interval_seconds: int = Field(default=300, ge=1)
    page_size: int = Field(default=100, ge=1, le=10_000)


class JobOut(BaseModel):
    next_run_at: datetime | None
    attempts: int
    runs: int
    last_error: str | None
    leased_by: str | None


class SourceOut(BaseModel):
    id: str
    name: str
    api_root_url: str
    collections: list[str]
    mode: SourceMode
    sectors: list[str]
    default_tlp: str
    auto_approve: bool
    auth_kind: AuthKind
    paused: bool
    progress: dict[str, Any]
    created_at: datetime
    last_run_at: datetime | None
    last_success_at: datetime | None
    last_error: str | None
    objects_moved: int
    job: JobOut | None


class CollectionMap(BaseModel):
    model_config = ConfigDict(extra="forbid")

    local: str = Field(examples=["sector-energy"])
    remote: str = Field(description="the peer's collection id")


class PeerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(examples=["kansai-isac"])
    api_root_url: str
    collections: list[CollectionMap] = Field(min_length=1, max_length=100)
    max_tlp: str = Field(default="green", description="the strictest TLP the peer may receive")
    auth: AuthIn = AuthIn()
    ca_file: str | None = None
    interval_seconds: int = Field(default=60, ge=1)
    batch_size: int = Field(default=200, ge=1, le=10_000)


class PeerProgressOut(BaseModel):
    collection: str
    last_date_added: str | None
    sent: int
    withheld: int
    rejected: int
    updated_at: datetime


class PeerOut(BaseModel):
    id: str
    name: str
    api_root_url: str
    collections: list[CollectionMap]
    max_tlp: str
    auth_kind: AuthKind
    paused: bool
    created_at: datetime
    last_run_at: datetime | None
    last_success_at: datetime | None
    last_error: str | None
    objects_moved: int
    progress: list[PeerProgressOut]
    job: JobOut | None


class WebhookIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    member: str
    url: str = Field(examples=["https://soc.example.jp/hooks/mamori"])
    secret: str | None = Field(
        default=None, min_length=16, max_length=200, description="generated when omitted"
    )


class WebhookOut(BaseModel):
    id: str
    member: str
    url: str
    paused: bool
    created_at: datetime
    last_delivery_at: datetime | None
    last_error: str | None


class WebhookCreated(WebhookOut):
    """The signing secret appears here once."""

    secret: str


class DeliveryOut(BaseModel):
    id: str
    collection: str
    count: int
    state: DeliveryState
    attempts: int
    last_status_code: int | None
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None


class CheckOut(BaseModel):
    ok: bool
    problems: list[str]
