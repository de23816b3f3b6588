"""Small helpers the console's page modules share: pipeline context, sharing rules, notices."""

from __future__ import annotations

from fastapi import Request

from api.deps import get_settings
from hub import sharing

# Outcome messages are chosen by key, never echoed from the URL.
NOTICES = {
    "approved": "Approved. The submitter is now asked to consent.",
    "awaiting_second": "First approval recorded. A second operator must confirm this scope.",
    "published": "Approved and published under the member's auto-consent.",
    "rejected": "Rejected. The submitter sees your reason.",
    "sent_back": "Sent back to the submitter for a corrected version.",
    "reopened": "Taken back into review; the approval and any consent lapsed.",
    "edited": "Edit applied. The sanitizer ran again over the original.",
    "consented": "Thank you. The sanitized version is approved and published.",
    "withdrawn": "The submission is withdrawn; nothing of it will be published.",
    "revoked": "The key is revoked and stops working at once.",
    "auto_saved": "Auto-consent settings saved.",
    "sector_created": "Sector created.",
    "member_created": "Member registered.",
    "assets_saved": "Registered assets saved.",
}


def notice(request: Request) -> str | None:
    return NOTICES.get(request.query_params.get("done", ""))


def rules(request: Request) -> sharing.Rules:
    return get_settings(request).sharing
