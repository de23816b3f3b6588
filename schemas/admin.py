"""Request and response bodies of the admin API (sectors, members, keys)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from hub.models import Role


class SectorIn(BaseModel):
    slug: str = Field(examples=["energy"])
    name: str = Field(examples=["Energy SIG"])


class SectorOut(BaseModel):
    slug: str
    name: str
    member_count: int
    created_at: datetime


class Assets(BaseModel):
    """A member's registered assets; every list is validated on entry."""

    model_config = ConfigDict(extra="forbid")

    names: list[str] = Field(default=[], examples=[["Kansai Denryoku", "関西電力"]])
    dns_domains: list[str] = Field(default=[], examples=[["kansai-denryoku.example.jp"]])
    email_domains: list[str] = Field(default=[], examples=[["mail.kansai-denryoku.example.jp"]])
    ip_ranges: list[str] = Field(default=[], examples=[["203.0.113.0/24", "2001:db8:10::/48"]])
    ad_domains: list[str] = Field(default=[], examples=[["KDCORP", "corp.kansai-denryoku.local"]])
    hostname_patterns: list[str] = Field(default=[], examples=[["kd-ws-*", "*.intra.example.jp"]])
    terms: list[str] = Field(default=[], examples=[["Project Sakura"]])
    sites: list[str] = Field(default=[], examples=[["Sakai Works", "堺製造所"]])
    group_companies: list[str] = Field(default=[], examples=[["Kansai Denryoku Logistics"]])
    teams: list[str] = Field(default=[], examples=[["KD-CSIRT", "情報セキュリティ室"]])
    id_formats: list[str] = Field(
        default=[],
        description="# one digit, @ one ASCII letter, * a run of letters or digits, "
        "everything else literal; matched as whole tokens, case-insensitively",
        examples=[["KD-CSIRT-####-####", "INC-#*"]],
    )


class AssetsPatch(BaseModel):
    """Lists given here replace the registered ones of the same kind; others are kept."""

    model_config = ConfigDict(extra="forbid")

    names: list[str] | None = None
    dns_domains: list[str] | None = None
    email_domains: list[str] | None = None
    ip_ranges: list[str] | None = None
    ad_domains: list[str] | None = None
    hostname_patterns: list[str] | None = None
    terms: list[str] | None = None
    sites: list[str] | None = None
    group_companies: list[str] | None = None
    teams: list[str] | None = None
    id_formats: list[str] | None = None


class MemberIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    slug: str = Field(examples=["kansai-denryoku"])
    display_name: str = Field(examples=["関西電力株式会社"])
    sector: str = Field(examples=["energy"])
    assets: Assets = Assets()


class MemberPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    display_name: str | None = None
    sector: str | None = None
    assets: AssetsPatch | None = None


class MemberOut(BaseModel):
    slug: str
    display_name: str
    sector: str
    created_at: datetime
    assets: Assets


class KeyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Role | None = Field(default=None, description="for a new account")
    member: str | None = Field(default=None, description="member slug, for submitter/reader")
    label: str = ""
    account_id: str | None = Field(default=None, description="add a key to this account")


class KeyOut(BaseModel):
    key_id: str
    account_id: str
    role: Role
    label: str
    member: str | None
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class IssuedKeyOut(BaseModel):
    """The key is shown here once and never again; only its hash is kept."""

    key_id: str
    key: str
    account_id: str
    role: Role
    member: str | None
