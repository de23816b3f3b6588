"""The hub's tables; import from here so every model is registered on ``Base.metadata``."""

from hub.models.audit import AuditEntry
from hub.models.members import Account, ApiKey, AssetKind, Member, MemberAsset, Role, Sector
from hub.models.published import Collection, CollectionKind, PublishedObject, TaxiiStatus
from hub.models.submissions import (
    ObjectStatus,
    Submission,
    SubmissionBlob,
    SubmissionEvent,
    SubmissionObject,
    SubmissionState,
)

__all__ = [
    "Account",
    "AuditEntry",
    "ApiKey",
    "AssetKind",
    "Collection",
    "CollectionKind",
    "Member",
    "MemberAsset",
    "ObjectStatus",
    "PublishedObject",
    "Role",
    "Sector",
    "Submission",
    "SubmissionBlob",
    "SubmissionEvent",
    "SubmissionObject",
    "SubmissionState",
    "TaxiiStatus",
]
