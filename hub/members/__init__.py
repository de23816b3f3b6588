"""Sectors, member firms and their registered assets, accounts and keys, principals, profiles
and console sessions.

The package re-exports the administration verbs, so call sites read `members.create_member(…)`.
"""

from hub.members.accounts import (
    MEMBER_ROLES,
    KeyInfo,
    create_account,
    create_key,
    ensure_admin,
    list_keys,
    revoke,
)
from hub.members.registry import (
    AssetLists,
    asset_lists,
    create_member,
    get_member,
    list_members,
    parse_asset_pairs,
    update_member,
)
from hub.members.sectors import check_slug, create_sector, get_sector, list_sectors

__all__ = [
    "MEMBER_ROLES",
    "AssetLists",
    "KeyInfo",
    "asset_lists",
    "check_slug",
    "create_account",
    "create_key",
    "create_member",
    "create_sector",
    "ensure_admin",
    "get_member",
    "get_sector",
    "list_keys",
    "list_members",
    "list_sectors",
    "parse_asset_pairs",
    "revoke",
    "update_member",
]
