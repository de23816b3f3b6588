"""sanitize(): one member's validated objects in, hub-publishable objects and a report out."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from hub.sanitize import analysis, markings, matchers, people, vocabulary
from hub.sanitize.context import TLP_IDS, Context
from hub.sanitize.ids import ID_CONTRIBUTING, SCO_TYPES, deterministic_sco_id, is_hub_id, mint
from hub.sanitize.objects import is_member_identity, transform
from hub.sanitize.observables import attacker_accounts, victim_files
from hub.sanitize.patterns import PatternRedactor
from hub.sanitize.policy import Policy
from hub.sanitize.profile import MemberProfile, SectorRef
from hub.sanitize.report import Recorder, Report
from hub.sanitize.text import SEPARATED, TextRedactor

SECTOR_SCOPE = "mamori-sector"
HUB_MEMBER_NAME = "A member of the hub"
FIXED_TIME = "2020-01-01T00:00:00.000Z"
REQUIRED_REF = {
    "relationship": ("source_ref", "target_ref"),
    "sighting": ("sighting_of_ref",),
    "language-content": ("object_ref",),
}
REQUIRED_REFS = {"observed-data", "report", "grouping", "note", "opinion"}


@dataclass(frozen=True)
class SanitizeResult:
    """Sanitized STIX objects (JSON-ready dicts) and the report of every change."""

    objects: list[dict[str, Any]]
    report: Report
    # Each published object's id -> the marking definitions it references, so the store
    # publishes a marking definition only where an object that references it goes.
    markings: dict[str, tuple[str, ...]] = field(default_factory=dict)


def sector_identity(sector: SectorRef, *, secret: bytes, hub_id: str) -> dict[str, Any]:
    """The sector-level identity that sightings are generalised to (stable per sector)."""
    return {
        "type": "identity",
        "spec_version": "2.1",
        "id": mint(secret, SECTOR_SCOPE, f"identity--{sector.slug}"),
        "created": FIXED_TIME,
        "modified": FIXED_TIME,
        "created_by_ref": hub_id,
        "name": sector.name,
        "identity_class": "class",
    }


def hub_member_identity(*, secret: bytes, hub_id: str) -> dict[str, Any]:
    """ "A member of the hub": who stands in for a member of a sector too small to hide in."""
    return {
        "type": "identity",
        "spec_version": "2.1",
        "id": mint(secret, SECTOR_SCOPE, "identity--hub-member"),
        "created": FIXED_TIME,
        "modified": FIXED_TIME,
        "created_by_ref": hub_id,
        "name": HUB_MEMBER_NAME,
        "identity_class": "class",
    }


def is_small(sector: SectorRef, policy: Policy) -> bool:
    """A counted sector with fewer members than the policy's minimum names its member."""
    return 0 < sector.member_count < policy.min_sector_members


def hub_bundle_id(bundle_id: str, profile: MemberProfile, *, secret: bytes) -> str:
    """The hub id for a submitted bundle id (kept when it is already a hub id)."""
    return (
        bundle_id if is_hub_id(secret, bundle_id) else mint(secret, profile.member_key, bundle_id)
    )


def _walk_refs(value: Any, fn: Callable[[str], str | None]) -> Any:
    """value with every *_ref / *_refs mapped through fn; None drops the reference."""
    if isinstance(value, list):
        return [_walk_refs(v, fn) for v in value]
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    for k, v in value.items():
        if k.endswith("_ref") and isinstance(v, str):
            new = fn(v)
            if new is not None:
                out[k] = new
        elif k.endswith("_refs") and isinstance(v, list):
            refs = list(dict.fromkeys(n for r in v if isinstance(r, str) and (n := fn(r))))
            if refs:
                out[k] = refs
        elif k == "granular_markings" and isinstance(v, list):
            kept = [g for g in _walk_refs(v, fn) if "marking_ref" in g or "lang" in g]
            if kept:
                out[k] = kept
        elif k == "extensions" and isinstance(v, dict):
            exts = {n: e for n, e in _walk_refs(v, fn).items() if e}
            if exts:
                out[k] = exts
        else:
            out[k] = _walk_refs(v, fn)
    return out


def _missing_required(o: Mapping[str, Any]) -> bool:
    t = o["type"]
    if any(k not in o for k in REQUIRED_REF.get(t, ())):
        return True
    if t in REQUIRED_REFS and not o.get("object_refs"):
        return True
    return t == "network-traffic" and "src_ref" not in o and "dst_ref" not in o


def sanitize(
    objects: Sequence[Mapping[str, Any]],
    profile: MemberProfile,
    policy: Policy,
    *,
    secret: bytes,
    hub_identity: Mapping[str, Any],
    sector: SectorRef,
    others: Sequence[MemberProfile] = (),
) -> SanitizeResult:
    """Remove every trace of the reporting member, keep every trace of the attacker.

    `others` are every other member's profiles: their assets are protected in this
    submission as the submitter's are; the submitter's profile alone keys the hub ids."""
    policy = policy.merged(profile.policy_override)
    profile = profile.with_others(others)
    hub_id = str(hub_identity["id"])
    small = is_small(sector, policy)
    sector_obj = (
        hub_member_identity(secret=secret, hub_id=hub_id)
        if small
        else sector_identity(sector, secret=secret, hub_id=hub_id)
    )
    redactor = TextRedactor(profile)
    ctx = Context(
        profile=profile,
        policy=policy,
        secret=secret,
        hub_id=hub_id,
        sector_id=sector_obj["id"],
        redactor=redactor,
        patterns=PatternRedactor(redactor, drop_user_accounts=policy.user_accounts == "drop"),
        recorder=Recorder(),
        small_sector=small,
        analysis_software=analysis.tooling_software(objects, policy),
    )
    special = {hub_id, sector_obj["id"]}
    ctx.member_identities = {
        str(o["created_by_ref"]) for o in objects if isinstance(o.get("created_by_ref"), str)
    } - special
    ctx.member_identities |= {
        str(o["id"]) for o in objects if o.get("id") not in special and is_member_identity(o, ctx)
    }
    vocabulary.apply(objects, redactor, ctx.member_identities)
    # An account the report attributes to the attacker teaches nothing about the member's
    # people; whether it names one of them is checked again once they are learned.
    candidates = attacker_accounts(objects, ctx)
    learn_from = [o for o in objects if str(o.get("id")) not in candidates]
    learned = people.learn(
        learn_from, redactor.email_domains, ctx.member_identities, profile.ad_domains
    ) | people.learn_from_text(learn_from, redactor.email_domains)
    if learned:
        ctx.people = people.PeopleRedactor(learned)
        # An identity that is nothing but one of the member's people is the member's too.
        ctx.member_identities |= {
            str(o["id"])
            for o in objects
            if o.get("type") == "identity"
            and o.get("id") not in special
            and people.is_only_people(str(o.get("name", "")), ctx.people)
        }

    ctx.attacker_accounts = attacker_accounts(objects, ctx) & candidates
    ctx.victim_files = victim_files(objects, ctx)
    # The name of a file of the member's own data goes from every text that repeats it.
    own = [
        str(o.get("name"))
        for o in objects
        if str(o.get("id")) in ctx.victim_files and SEPARATED.search(str(o.get("name", "")))
    ]
    if own:
        redactor.learn([matchers.phrases("learned-archive", own)])
    ctx.patterns.people = ctx.people
    kept: dict[str, dict[str, Any]] = {}
    dropped: set[str] = set(ctx.member_identities)
    for obj in objects:
        oid = str(obj["id"])
        if oid in special or oid in kept:
            continue
        new = transform(obj, ctx)
        if new is None:
            dropped.add(oid)
        else:
            kept[oid] = new

    # Dropping one object can leave another without a required reference: repeat until stable.
    changed = True
    while changed:
        changed = False
        for oid in list(kept):
            before = kept[oid]
            after = _walk_refs(before, lambda r: None if r in dropped else r)
            if after != before:
                ctx.recorder.add(oid, "*_ref(s)", "dropped-reference", "ref", None, masked=True)
                kept[oid] = after
            if _missing_required(after):
                ctx.recorder.add(oid, "", "dangling-object", after["type"], None, masked=True)
                dropped.add(oid)
                del kept[oid]
                changed = True

    for oid in markings.unreferenced(kept, ctx):
        dropped.add(oid)
        del kept[oid]

    for oid in people.with_probable_names(objects) & kept.keys():
        people.flag_probable(oid, kept[oid], ctx.recorder.add)  # left for the operator
    new_ids = _assign_ids(kept, ctx)
    keyed: Callable[[str], str] = lambda r: new_ids.get(r) or _external_id(r, ctx)  # noqa: E731
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for oid, o in kept.items():
        o = _walk_refs(o, keyed)
        if new_ids[oid] != oid:
            if oid not in ctx.fixed_ids:
                ctx.recorder.add(oid, "id", "remint-id", oid, new_ids[oid], masked=True)
            o["id"] = new_ids[oid]
        if o["id"] not in seen:  # two member statements are one hub statement
            seen.add(o["id"])
            out.append(o)
    referenced = _referenced(out)
    prefix = [dict(hub_identity)] if hub_id in referenced else []
    if sector_obj["id"] in referenced:
        prefix.append(sector_obj)
    final_ids: dict[str, str | None] = {oid: new_ids[oid] for oid in kept}
    published = prefix + out
    return SanitizeResult(
        published, ctx.recorder.finish(final_ids), markings.referenced_markings(published)
    )


def _external_id(ref: str, ctx: Context) -> str:
    """Hub id for a reference to an object outside this submission."""
    if ref in TLP_IDS or ref == ctx.hub_id or ref == ctx.sector_id or is_hub_id(ctx.secret, ref):
        return ref
    return mint(ctx.secret, ctx.profile.member_key, ref)


def _assign_ids(kept: dict[str, dict[str, Any]], ctx: Context) -> dict[str, str]:
    """New id per kept object: keyed for SDO/SRO/markings, recomputed UUIDv5 for SCOs."""
    ids: dict[str, str] = {}
    busy: set[str] = set()

    def resolve(ref: str) -> str:
        if ref in kept:
            return assign(ref)
        return _external_id(ref, ctx)

    def assign(oid: str) -> str:
        if oid in ids:
            return ids[oid]
        o = kept[oid]
        t = o["type"]
        if oid in ctx.fixed_ids:
            ids[oid] = ctx.fixed_ids[oid]
        elif oid in TLP_IDS or is_hub_id(ctx.secret, oid) and t not in SCO_TYPES:
            ids[oid] = oid
        elif t in SCO_TYPES and oid not in busy:
            busy.add(oid)
            contributing = {k: o[k] for k in ID_CONTRIBUTING[t] if k in o}
            det = deterministic_sco_id({"type": t, **_walk_refs(contributing, resolve)})
            busy.discard(oid)
            keep = is_hub_id(ctx.secret, oid)
            ids[oid] = det or (oid if keep else mint(ctx.secret, ctx.profile.member_key, oid))
        else:
            ids[oid] = mint(ctx.secret, ctx.profile.member_key, oid)
        return ids[oid]

    for oid in kept:
        assign(oid)
    return ids


def _referenced(objs: list[dict[str, Any]]) -> set[str]:
    seen: set[str] = set()

    def note(ref: str) -> str:
        seen.add(ref)
        return ref

    for o in objs:
        _walk_refs(o, note)
    return seen
