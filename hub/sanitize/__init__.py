"""The sanitizer: strips the reporting member from a submission and keeps the attacker."""

from hub.sanitize.engine import SanitizeResult, hub_bundle_id, sanitize, sector_identity
from hub.sanitize.policy import Policy
from hub.sanitize.profile import MemberProfile, PolicyOverride, SectorRef
from hub.sanitize.report import Change, Report

__all__ = [
    "Change", "MemberProfile", "Policy", "PolicyOverride", "Report", "SanitizeResult",
    "SectorRef", "hub_bundle_id", "sanitize", "sector_identity",
]
