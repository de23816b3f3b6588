"""Who may read or write which TAXII collection: the one policy every TAXII route applies.

A collection a caller can neither read nor write does not exist for that caller: routes
answer 404 exactly as for an unknown id, so no endpoint or parameter reveals another
sector's collection or objects.
"""

from __future__ import annotations

from hub.members.principals import Principal
from hub.models import Collection, CollectionKind, Role

MEMBER_ROLES = frozenset({Role.READER, Role.SUBMITTER})


def can_read(principal: Principal | None, collection: Collection, *, public_enabled: bool) -> bool:
    """Whether the caller (None: anonymous) may GET the collection's objects."""
    match collection.kind:
        case CollectionKind.PUBLIC:
            return public_enabled
        case CollectionKind.INBOX:
            return False
        case CollectionKind.MEMBERS:
            return principal is not None and (principal.is_staff or _is_member(principal))
        case CollectionKind.SECTOR:
            if principal is None:
                return False
            if principal.is_staff:
                return True
            return _is_member(principal) and principal.sector_id == collection.sector_id
    return False


def can_write(principal: Principal | None, collection: Collection, *, public_enabled: bool) -> bool:
    """Whether the caller may POST objects: submitters to the inbox, staff to the rest."""
    if principal is None:
        return False
    if collection.kind is CollectionKind.INBOX:
        return principal.role is Role.SUBMITTER and principal.member_id is not None
    if collection.kind is CollectionKind.PUBLIC and not public_enabled:
        return False
    return principal.is_staff


def visible(principal: Principal | None, collection: Collection, *, public_enabled: bool) -> bool:
    """Whether the collection exists at all for this caller."""
    return can_read(principal, collection, public_enabled=public_enabled) or can_write(
        principal, collection, public_enabled=public_enabled
    )


def can_delete(principal: Principal | None) -> bool:
    """Deleting published objects is for admins only (§5.7)."""
    return principal is not None and principal.role is Role.ADMIN


def _is_member(principal: Principal) -> bool:
    return principal.role in MEMBER_ROLES and principal.member_id is not None
