"""Which TAXII collections each sanitized object may be republished to.

The TLP marking is the ceiling, the operator's scope is what was chosen, the submitter's
consent unlocks what TLP alone does not; an object goes to the intersection. Nothing goes
anywhere without the submitter's approval of the sanitized version.

Collections: `sector-<slug>` (members of that sector), `members` (every member), `public`
(everyone, only when the admin enables it; members read it too). The scope names these
targets, the submitter's own sector always among them:

    sector   sector-<own>
    sectors  sector-<own> + sector-<x> for each extra sector
    members  sector-<own> + members
    public   sector-<own> + members + public

and each TLP level allows, at most (given approval):

    TLP        sector-<own>          sector-<other>, members   public
    RED        no                    no                        no
    AMBER+S    amber_strict consent  no                        no
    AMBER      yes                   cross_sector consent      no
    GREEN      yes                   yes                       no
    CLEAR      yes                   yes                       if public_enabled

An object goes to its own sector and to the broadest collections its TLP allows within the
scope: a CLEAR object under the `public` scope goes to `sector-<own>` and `public`, not also
to `members`, which reads `public` anyway; with `public` disabled it goes to `members`.

A published object must not point at something its readers cannot get: when an object it
needs (a relationship's ends, a marking-definition it uses; see `hub.stix.refs`) is not
readable in a collection, it is withheld from that collection, computed to a fixed point;
a reference it can do without (`created_by_ref`, an entry of a report's `object_refs`) is
removed from the copy that collection gets instead. References to objects outside the
submission are checked against what the caller says is stored (`available`).

An object whose marking the hub cannot resolve (`hub.stix.tlp.Unresolved`) goes nowhere,
whatever the scope and consent, and its reasons name the marking. A marking-definition
object goes only to the collections where an object marked with it goes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from hub.stix import refs
from hub.stix.tlp import Tlp, assess, marking_refs, official_level, references

SECTOR_PREFIX = "sector-"
MEMBERS = "members"
PUBLIC = "public"


class Breadth(StrEnum):
    """How far an operator shares a submission, narrowest first."""

    SECTOR = "sector"
    SECTORS = "sectors"  # the submitter's sector and the extra sectors named
    MEMBERS = "members"
    PUBLIC = "public"

    @classmethod
    def parse(cls, text: str) -> Breadth:
        """The breadth named `text`; ValueError for any other word."""
        try:
            return cls(text)
        except ValueError:
            raise ValueError(f"unknown sharing breadth {text!r}") from None


BREADTHS: tuple[Breadth, ...] = tuple(Breadth)


def sector_collection(slug: str) -> str:
    """The collection that the members of one sector read."""
    return f"{SECTOR_PREFIX}{slug}"


@dataclass(frozen=True, slots=True)
class Rules:
    """The hub-wide settings that routing needs (`Settings.sharing`)."""

    default_tlp: Tlp
    public_enabled: bool


@dataclass(frozen=True)
class Scope:
    """How far the operator chose to share a submission."""

    breadth: Breadth
    extra_sectors: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        # A plain string of a known breadth is taken as that breadth.
        object.__setattr__(self, "breadth", Breadth.parse(self.breadth))
        if self.extra_sectors and self.breadth != "sectors":
            raise ValueError("extra sectors only apply to the 'sectors' breadth")


@dataclass(frozen=True)
class Consent:
    """What the submitter agreed to for this submission; nothing is assumed."""

    approved: bool = False
    cross_sector: bool = False
    amber_strict: bool = False


@dataclass(frozen=True)
class Decision:
    """Where one object goes, and why it does not go to the rest of the scope."""

    tlp: Tlp
    collections: frozenset[str]
    withheld: tuple[str, ...]
    # Per collection, the references removed from the copy its readers get (not readable there).
    stripped: Mapping[str, frozenset[str]] = field(default_factory=dict)


Routing = dict[str, Decision]


def scope_targets(scope: Scope, own_sector: str) -> tuple[str, ...]:
    """The collections a scope names, narrowest first."""
    own = sector_collection(own_sector)
    if scope.breadth == "sector":
        return (own,)
    if scope.breadth == "sectors":
        extras = sorted(sector_collection(s) for s in scope.extra_sectors if s != own_sector)
        return (own, *extras)
    if scope.breadth == "members":
        return (own, MEMBERS)
    return (own, MEMBERS, PUBLIC)


def route(
    objects: Sequence[Mapping[str, Any]],
    *,
    own_sector: str,
    scope: Scope,
    consent: Consent,
    default_tlp: Tlp,
    public_enabled: bool,
    known_sectors: frozenset[str],
    known_markings: Mapping[str, Tlp] | None = None,
    available: Mapping[str, frozenset[str]] | None = None,
) -> Routing:
    """Decide the collections of every object in a submission (see the module docstring).

    `available` maps ids outside the submission to the collections already holding them;
    given, a reference to an id outside both is readable nowhere (a rejected object, one the
    sanitizer dropped). Official TLP ids are always readable: publication adds them.
    """
    unknown = sorted(({own_sector} | scope.extra_sectors) - known_sectors)
    if unknown:
        raise ValueError(f"unknown sector(s): {', '.join(unknown)}")

    verdicts = assess(objects, default=default_tlp, known_markings=known_markings)
    levels = {oid: verdict.level for oid, verdict in verdicts.items()}
    targets = scope_targets(scope, own_sector)
    own = sector_collection(own_sector)

    current: dict[str, set[str]] = {}
    reasons: dict[str, dict[str, str]] = {}
    for oid, verdict in verdicts.items():
        current[oid] = set()
        reasons[oid] = {}
        for target in targets:
            reason = (
                str(verdict.unresolved)
                if verdict.unresolved is not None
                else _ceiling_reason(verdict.level, target, own, consent, public_enabled)
            )
            if reason is None:
                current[oid].add(target)
            else:
                reasons[oid][target] = reason

    where = _Where(current, available)
    needs = _needs(objects, where)
    _withhold_dangling(current, reasons, needs, where)
    _follow_referrers(objects, current, reasons)
    stripped = _stripped(current, needs, where)

    routing: Routing = {}
    for oid, level in levels.items():
        chosen = current[oid]
        if PUBLIC in chosen:
            chosen.discard(MEMBERS)  # members read public; one copy is enough
        withheld = tuple(
            f"{target}: {reasons[oid][target]}" for target in targets if target in reasons[oid]
        )
        routing[oid] = Decision(
            tlp=level,
            collections=frozenset(chosen),
            withheld=withheld,
            stripped={c: refs for c, refs in stripped.get(oid, {}).items() if c in chosen},
        )
    return routing


def by_collection(routing: Mapping[str, Decision]) -> dict[str, frozenset[str]]:
    """The same routing turned around: collection -> ids of the objects going there."""
    grouped: dict[str, set[str]] = defaultdict(set)
    for oid, decision in routing.items():
        for collection in decision.collections:
            grouped[collection].add(oid)
    return {collection: frozenset(ids) for collection, ids in grouped.items()}


def collection_ceiling(collection: str) -> Tlp:
    """The strictest TLP the hub's own analysis may carry when posted straight into a collection.

    The hub is then the source, so there is no submitter consent to consult: a sector
    collection takes up to AMBER+STRICT (each reader's organisation only), `members` only
    GREEN (AMBER would be defensible, but every member reads it, so stay stricter), and
    `public` only CLEAR.
    """
    if collection.startswith(SECTOR_PREFIX) and len(collection) > len(SECTOR_PREFIX):
        return Tlp.AMBER_STRICT
    if collection == MEMBERS:
        return Tlp.GREEN
    if collection == PUBLIC:
        return Tlp.CLEAR
    raise ValueError(f"{collection!r} is not a collection objects are published to")


def _ceiling_reason(
    level: Tlp, target: str, own: str, consent: Consent, public_enabled: bool
) -> str | None:
    """Why `level` may not go to `target`, or None when it may."""
    if not consent.approved:
        return "the submitter has not approved this sanitized version"
    if level is Tlp.RED:
        return "TLP:RED is never republished"
    if level is Tlp.AMBER_STRICT:
        if not consent.amber_strict:
            return "TLP:AMBER+STRICT needs the submitter's consent for this submission"
        if target != own:
            return "TLP:AMBER+STRICT goes to the submitter's sector only"
        return None
    if target == PUBLIC:
        if level is not Tlp.CLEAR:
            return f"{level.label} is never public"
        if not public_enabled:
            return "the public collection is not enabled"
        return None
    if target != own and level is Tlp.AMBER and not consent.cross_sector:
        return "TLP:AMBER beyond the submitter's sector needs the submitter's cross-sector consent"
    return None


@dataclass(frozen=True, slots=True)
class _Where:
    """Where a referenced id can be read: routed now, stored before, or not checked."""

    current: Mapping[str, set[str]]
    available: Mapping[str, frozenset[str]] | None

    def checked(self, ref: str) -> bool:
        if ref in self.current:
            return True
        return self.available is not None and official_level(ref) is None

    def readable(self, ref: str, collection: str) -> bool:
        if ref in self.current:
            return _readable_in(self.current[ref], collection)
        if self.available is None or official_level(ref) is not None:
            return True
        return _readable_in(set(self.available.get(ref, ())), collection)


def _needs(objects: Iterable[Mapping[str, Any]], where: _Where) -> dict[str, refs.Needs]:
    """Each object's references that routing checks (its own id and unchecked ids left out)."""
    out: dict[str, refs.Needs] = {}
    for obj in objects:
        oid = obj.get("id")
        if not isinstance(oid, str):
            continue
        found = refs.needs(obj)

        def keep(ids: frozenset[str], oid: str = oid) -> frozenset[str]:
            return frozenset(r for r in ids if r != oid and where.checked(r))

        previous = out.get(oid)
        need = refs.Needs(
            keep(found.required),
            tuple(g for g in (keep(g) for g in found.groups) if g),
            keep(found.optional),
        )
        if previous is not None:  # several versions of one id: all their needs
            need = refs.Needs(
                previous.required | need.required,
                previous.groups + need.groups,
                previous.optional | need.optional,
            )
        out[oid] = need
    return out


def _stripped(
    current: Mapping[str, set[str]], needs: Mapping[str, refs.Needs], where: _Where
) -> dict[str, dict[str, frozenset[str]]]:
    """Per object and collection, the optional references its readers there cannot get."""
    out: dict[str, dict[str, frozenset[str]]] = {}
    for oid, need in needs.items():
        droppable = need.optional.union(*need.groups) if need.groups else need.optional
        for collection in current.get(oid, ()):
            gone = frozenset(r for r in droppable if not where.readable(r, collection))
            if gone:
                out.setdefault(oid, {})[collection] = gone
    return out


def _follow_referrers(
    objects: Iterable[Mapping[str, Any]],
    current: dict[str, set[str]],
    reasons: dict[str, dict[str, str]],
) -> None:
    """A marking definition goes only where an object that uses it goes (within its own
    ceiling): it is not intelligence, and must not reach a collection on its own."""
    wanted: dict[str, set[str]] = defaultdict(set)
    definitions = set()
    for obj in objects:
        oid = obj.get("id")
        if obj.get("type") == "marking-definition" and isinstance(oid, str):
            definitions.add(oid)
    for obj in objects:
        oid = obj.get("id")
        if not isinstance(oid, str):
            continue
        for ref in (*marking_refs(obj), *references(obj)):
            if ref in definitions and ref != oid:
                wanted[ref].update(current[oid])
    for oid in definitions:
        for collection in sorted(current[oid] - wanted[oid]):
            reasons[oid][collection] = "no object that uses it goes there"
        current[oid] &= wanted[oid]


def _readable_in(collections: set[str], target: str) -> bool:
    """Whether a reader of `target` can get an object published to `collections`."""
    if target in collections or PUBLIC in collections:
        return True
    return target.startswith(SECTOR_PREFIX) and MEMBERS in collections


def _withhold_dangling(
    current: dict[str, set[str]],
    reasons: dict[str, dict[str, str]],
    needs: Mapping[str, refs.Needs],
    where: _Where,
) -> None:
    """Remove collections whose readers could not resolve a reference the object needs (see
    `hub.stix.refs`), until nothing changes; optional references are stripped instead.

    Collections only ever shrink, so this terminates; the result is the largest routing
    in which every needed reference is readable.
    """
    referrers: dict[str, set[str]] = defaultdict(set)
    for source, need in needs.items():
        for target in need.required.union(*need.groups):
            referrers[target].add(source)
    work = list(current)
    queued = set(work)
    while work:
        oid = work.pop()
        queued.discard(oid)
        if oid not in needs:
            continue
        need_of = needs[oid]
        removed = False
        for collection in sorted(current[oid]):
            missing = next(
                (r for r in sorted(need_of.required) if not where.readable(r, collection)), None
            )
            if missing is None:
                for group in need_of.groups:
                    if not any(where.readable(r, collection) for r in group):
                        missing = min(group)
                        break
            if missing is not None:
                current[oid].discard(collection)
                reasons[oid][collection] = f"it references {missing}, which is not readable there"
                removed = True
        if removed:
            for source in referrers.get(oid, ()):
                if source not in queued:
                    queued.add(source)
                    work.append(source)
