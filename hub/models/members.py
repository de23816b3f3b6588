"""Sectors, member firms with their registered assets, accounts and API keys."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.db import Base, UTCDateTime, utcnow


def new_id() -> str:
    return str(uuid.uuid4())


class Role(enum.StrEnum):
    SUBMITTER = "submitter"
    READER = "reader"
    OPERATOR = "operator"
    ADMIN = "admin"


class AssetKind(enum.StrEnum):
    NAME = "name"
    DNS_DOMAIN = "dns_domain"
    EMAIL_DOMAIN = "email_domain"
    IP_RANGE = "ip_range"
    AD_DOMAIN = "ad_domain"
    HOSTNAME_PATTERN = "hostname_pattern"
    TERM = "term"
    SITE = "site"
    GROUP_COMPANY = "group_company"
    TEAM = "team"
    ID_FORMAT = "id_format"


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    # Stored as plain strings with a CHECK, so adding a value is a reviewed migration.
    return Enum(
        cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda e: [m.value for m in e],
    )


class Sector(Base):
    """A sharing group of member firms in one industry (a J-CSIP SIG)."""

    __tablename__ = "sector"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    members: Mapped[list[Member]] = relationship(back_populates="sector", lazy="raise")


class Member(Base):
    """A member firm; its registered assets are what the sanitizer removes."""

    __tablename__ = "member"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    sector_id: Mapped[str] = mapped_column(ForeignKey("sector.id", ondelete="RESTRICT"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    sector: Mapped[Sector] = relationship(back_populates="members", lazy="raise")
    assets: Mapped[list[MemberAsset]] = relationship(
        back_populates="member",
        lazy="raise",
        cascade="all, delete-orphan",
        order_by="(MemberAsset.kind, MemberAsset.position)",
    )


class MemberAsset(Base):
    """One registered name, domain, range, AD domain, host-name pattern or term of a member."""

    __tablename__ = "member_asset"
    __table_args__ = (UniqueConstraint("member_id", "kind", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"), index=True)
    kind: Mapped[AssetKind] = mapped_column(_enum(AssetKind, "asset_kind"))
    value: Mapped[str] = mapped_column(String(500))
    position: Mapped[int] = mapped_column(default=0)

    member: Mapped[Member] = relationship(back_populates="assets", lazy="raise")


class Account(Base):
    """A principal: a member's submitter or reader, or a hub operator or admin."""

    __tablename__ = "account"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    role: Mapped[Role] = mapped_column(_enum(Role, "role"))
    label: Mapped[str] = mapped_column(String(200))
    member_id: Mapped[str | None] = mapped_column(
        ForeignKey("member.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    member: Mapped[Member | None] = relationship(lazy="raise")
    keys: Mapped[list[ApiKey]] = relationship(back_populates="account", lazy="raise")


class ApiKey(Base):
    """An API key: the public key id and a hash of the secret; the secret itself is never kept."""

    __tablename__ = "api_key"

    key_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    account_id: Mapped[str] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), index=True
    )
    secret_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    account: Mapped[Account] = relationship(back_populates="keys", lazy="raise")
