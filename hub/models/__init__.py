"""The hub's tables; import from here so every model is registered on ``Base.metadata``."""

from hub.models.audit import AuditEntry
from hub.models.connectors import (
    AuthKind,
    ConnectorJob,
    ConnectorPeer,
    ConnectorSource,
    DeliveryState,
    JobState,
    MemberWebhook,
    PeerProgress,
    SourceMode,
    WebhookDelivery,
)
from hub.models.members import Account, ApiKey, AssetKind, Member, MemberAsset, Role, Sector
from hub.models.published import Collection, CollectionKind, PublishedObject, TaxiiStatus
from hub.models.review import AutoConsent, PublishedObservable, SubmissionReview
from hub.models.submissions import (
    ObjectStatus,
    Submission,
    SubmissionBlob,
    SubmissionEvent,
    SubmissionObject,
    SubmissionState,
)
from hub.models.web import SignInFailure, WebSession

__all__ = [
    "AuthKind",
    "ConnectorJob",
    "ConnectorPeer",
    "ConnectorSource",
    "DeliveryState",
    "JobState",
    "MemberWebhook",
    "PeerProgress",
    "SourceMode",
    "WebhookDelivery",
    "Account",
    "AuditEntry",
    "ApiKey",
    "AssetKind",
    "AutoConsent",
    "Collection",
    "CollectionKind",
    "Member",
    "MemberAsset",
    "ObjectStatus",
    "PublishedObject",
    "PublishedObservable",
    "Role",
    "Sector",
    "SignInFailure",
    "Submission",
    "SubmissionBlob",
    "SubmissionEvent",
    "SubmissionObject",
    "SubmissionReview",
    "SubmissionState",
    "TaxiiStatus",
    "WebSession",
]
