"""The sanitizer: strips the reporting member from a submission and keeps the attacker."""

from hub.sanitize.engine import (
    SanitizeResult,
    hub_bundle_id,
    hub_member_identity,
    sanitize,
    sector_identity,
)
from hub.sanitize.markings import hub_statement
from hub.sanitize.policy import Policy
from hub.sanitize.profile import MemberProfile, PolicyOverride, SectorRef
from hub.sanitize.report import Change, Report

__all__ = [
    "Change",
    "MemberProfile",
    "Policy",
    "PolicyOverride",
    "Report",
    "SanitizeResult",
    "SectorRef",
    "hub_bundle_id",
    "hub_member_identity",
    "hub_statement",
    "sanitize",
    "sector_identity",
]
