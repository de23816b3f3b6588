"""Hub settings, read from the environment (prefix ``MAMORI_``) and refusing unsafe defaults."""

from __future__ import annotations

import base64
import binascii
import math
import os
import secrets
import string
from collections import Counter
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from limits import parse_many
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from hub import netpolicy, sharing
from hub.errors import ConfigurationError
from hub.keys import Keyring
from hub.stix.tlp import Tlp

SECRET_FILE = "secret_key"  # noqa: S105 (a file name, not a secret)


@dataclass(frozen=True, slots=True)
class Limits:
    """How large a posted body may be, in objects, nesting depth and bytes per string."""

    max_objects: int
    max_depth: int
    max_string_bytes: int


class Settings(BaseSettings):
    """Everything an operator may configure; see the README's configuration table."""

    model_config = SettingsConfigDict(env_prefix="MAMORI_", env_file=None, extra="ignore")

    env: Literal["development", "production"] = "development"
    database_url: str = "sqlite+aiosqlite:///./mamori.db"
    secret_key: SecretStr | None = None
    # Earlier secrets, newest first, separated by commas: what they signed or sealed still
    # verifies and opens; the last (the oldest) keeps minting hub ids (README: key epochs).
    previous_secret_keys: SecretStr | None = None
    data_dir: Path = Path(".mamori")
    # The signed audit head; by default beside a SQLite file, else in data_dir.
    audit_anchor_file: Path | None = None
    # Non-global networks connectors may reach anyway (CIDRs, commas): a private federation.
    connector_allow_networks: str = ""

    hub_name: str = "Mamori"
    public_base_url: str | None = None

    max_body_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    # Every other body (admin, review, consent, console forms); intake takes max_body_bytes.
    max_request_bytes: int = Field(default=1024 * 1024, ge=1024)
    max_objects: int = Field(default=10_000, ge=1)
    max_depth: int = Field(default=32, ge=4, le=256)
    max_string_bytes: int = Field(default=1024 * 1024, ge=1024)

    taxii_page_default: int = Field(default=100, ge=1)
    taxii_page_max: int = Field(default=1000, ge=1)
    public_collection: bool = False
    default_tlp: Literal["clear", "green", "amber", "amber+strict", "red"] = "amber"
    sanitize_policy_file: Path | None = None
    # Two: a member's big or stuck submission holds one, the other serves everyone else.
    sanitize_processes: int = Field(default=2, ge=0, le=64)
    # Seconds one submission's validating and sanitizing may take; past it, it is failed.
    submission_time_limit_seconds: float = Field(default=300.0, gt=0)
    four_eyes: bool = False  # scopes beyond the submitter's sector need a second operator

    # The connectors' worker. None: run it inside `mamori serve` when the database is SQLite.
    worker_in_process: bool | None = None
    worker_poll_seconds: float = Field(default=2.0, gt=0)
    worker_lease_seconds: int = Field(default=300, ge=5)
    notify_seconds: int = Field(default=30, ge=1)
    webhook_timeout_seconds: float = Field(default=10.0, gt=0)

    key_touch_seconds: int = Field(default=60, ge=0)

    # Proxies whose X-Forwarded-For and X-Forwarded-Proto are believed (addresses or CIDRs,
    # commas). None by default, not even loopback: anyone local could claim any address.
    trusted_proxies: str = ""
    # `limits` rules (`600/minute`, `10/second;600/minute`); memory:// or redis://host:port/db.
    rate_limit_storage: str = "memory://"
    rate_limit_per_client: str = "60000/minute"
    rate_limit_per_key: str = "30000/minute"
    sign_in_failures: str = "5/15 minutes"  # failed sign-ins per (client address, key id)

    # What the people running the hub may see. None: open in development; in production
    # /metrics needs MAMORI_METRICS_TOKEN (off without one) and the OpenAPI document is off.
    metrics_access: Literal["open", "token", "off"] | None = None
    metrics_token: SecretStr | None = None
    docs_access: Literal["open", "staff", "off"] | None = None
    log_level: str = "INFO"
    log_json: bool = True

    @field_validator("connector_allow_networks")
    @classmethod
    def _networks(cls, value: str) -> str:
        netpolicy.Policy.parse(value)  # a typo must stop the hub, not refuse its peers later
        return value

    @model_validator(mode="after")
    def _production_needs_secret(self) -> Settings:
        if self.env == "production" and self.secret_key is None:
            raise ValueError("MAMORI_SECRET_KEY is required when MAMORI_ENV=production")
        if self.public_base_url is not None:
            parts = urlsplit(self.public_base_url)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise ValueError(
                    "MAMORI_PUBLIC_BASE_URL must be an http(s) URL, e.g. https://hub.example"
                )
        elif self.env == "production":
            # TAXII discovery names this URL; in production it never comes from a Host header.
            raise ValueError("MAMORI_PUBLIC_BASE_URL is required when MAMORI_ENV=production")
        if self.env == "production" and self.secret_key is not None:
            problem = secret_weakness(self.secret_key.get_secret_value())
            if problem is not None:
                raise ValueError(f"MAMORI_SECRET_KEY is refused in production: {problem}")
        for name in ("rate_limit_per_client", "rate_limit_per_key", "sign_in_failures"):
            try:
                parse_many(getattr(self, name))
            except ValueError:
                raise ValueError(f"MAMORI_{name.upper()} is not a rate like 600/minute") from None
        if self.metrics_access == "token" and self.metrics_token is None:
            raise ValueError("MAMORI_METRICS_ACCESS=token needs MAMORI_METRICS_TOKEN")
        if self.taxii_page_default > self.taxii_page_max:
            raise ValueError("MAMORI_TAXII_PAGE_DEFAULT must not exceed MAMORI_TAXII_PAGE_MAX")
        return self

    @cached_property
    def secret(self) -> bytes:
        """The hub's secret: from the environment, or generated once and kept in data_dir."""
        if self.secret_key is not None:
            value = self.secret_key.get_secret_value()
            if len(value) < 32:
                raise ConfigurationError("MAMORI_SECRET_KEY must be at least 32 characters")
            return value.encode()
        path = self.data_dir / SECRET_FILE
        if path.exists():
            return path.read_bytes().strip()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        generated = secrets.token_urlsafe(48).encode()
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(generated)
        return generated

    @cached_property
    def keyring(self) -> Keyring:
        """The current secret and the previous ones (key epochs)."""
        previous = []
        if self.previous_secret_keys is not None:
            for value in self.previous_secret_keys.get_secret_value().split(","):
                if value.strip():
                    if len(value.strip()) < 32:
                        raise ConfigurationError(
                            "every MAMORI_PREVIOUS_SECRET_KEYS entry must be at least 32 characters"
                        )
                    previous.append(value.strip().encode())
        return Keyring.of(self.secret, previous)

    @property
    def audit_anchor_path(self) -> Path:
        """Where the signed audit head is written: next to the database file."""
        if self.audit_anchor_file is not None:
            return self.audit_anchor_file
        url = self.async_database_url
        if url.startswith("sqlite") and ":memory:" not in url and "///" in url:
            return Path(url.split("///", 1)[1].split("?", 1)[0] + ".audit-head")
        return self.data_dir / "audit-head.json"

    @property
    def metrics_mode(self) -> Literal["open", "token", "off"]:
        if self.metrics_access is not None:
            return self.metrics_access
        if self.env == "development":
            return "open"
        return "token" if self.metrics_token is not None else "off"

    @property
    def docs_mode(self) -> Literal["open", "staff", "off"]:
        if self.docs_access is not None:
            return self.docs_access
        return "open" if self.env == "development" else "off"

    @property
    def proxy_networks(self) -> list[str]:
        return [part.strip() for part in self.trusted_proxies.split(",") if part.strip()]

    @property
    def limits(self) -> Limits:
        """What intake accepts in one body."""
        return Limits(self.max_objects, self.max_depth, self.max_string_bytes)

    @property
    def sharing(self) -> sharing.Rules:
        """The hub-wide settings that routing needs."""
        return sharing.Rules(Tlp.parse(self.default_tlp), self.public_collection)

    @property
    def async_database_url(self) -> str:
        return async_url(self.database_url)

    @property
    def is_sqlite(self) -> bool:
        return self.async_database_url.startswith("sqlite")


MIN_KEY_BYTES = 32
MIN_SECRET_BITS = 128.0


def key_material(value: str) -> bytes:
    """What a secret decodes to: hex or base64 text counts as its bytes, anything else as UTF-8."""
    text = value.strip()
    if len(text) % 2 == 0 and all(c in string.hexdigits for c in text):
        return bytes.fromhex(text)
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        return text.encode()


def secret_weakness(value: str) -> str | None:
    """Why a production secret is unfit (too short, padded, repetitive), or None when it is fit.

    The estimate is the text's Shannon entropy per character times its length: a secret from
    `secrets.token_urlsafe(32)` scores about 200 bits, 40 spaces or `abab…` next to nothing.
    """
    if value != value.strip() or not value.strip():
        return "it is blank or starts or ends with white space"
    if len(key_material(value)) < MIN_KEY_BYTES:
        return f"it holds fewer than {MIN_KEY_BYTES} bytes of key material"
    counts = Counter(value)
    per_char = -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())
    if per_char * len(value) < MIN_SECRET_BITS:
        return "it is too repetitive to be random (generate one: openssl rand -base64 48)"
    return None


def async_url(url: str) -> str:
    """Map the URL forms people type onto the async drivers the hub uses."""
    for plain, driver in (
        ("postgresql://", "postgresql+psycopg://"),
        ("postgres://", "postgresql+psycopg://"),
        ("sqlite://", "sqlite+aiosqlite://"),
    ):
        if url.startswith(plain):
            return driver + url[len(plain) :]
    return url


def sync_url(url: str) -> str:
    """The same database through a synchronous driver, for Alembic."""
    url = async_url(url)
    return url.replace("sqlite+aiosqlite://", "sqlite://")


def get_settings() -> Settings:
    return Settings()
