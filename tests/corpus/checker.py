"""Looks for every planted identifier of a member in everything a reader fetched, in every
decoded form, and for every attacker value in what the submitter's sector reads."""

from __future__ import annotations

import bisect
import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.corpus import decoders
from tests.corpus.members import BY_SLUG, MEMBERS

BUNDLES = Path(__file__).parent / "bundles"
ANONYMOUS = "anonymous"
CLASSES = (
    "registered",
    "other-member",
    "host-glob",
    "site",
    "location",
    "case-id",
    "team",
    "share",
    "archive",
    "project",
    "person",
    "person-ja",
    "mail-header",
    "mail-hop",
    "mta-queue-id",
    "mail-gateway",
    "beacon-param",
    "sandbox",
    "own-file",
    "command-line",
    "yara-meta",
    "yara-string",
    "sigma-meta",
    "sigma-value",
    "marking",
    "small-sector",
    "account",
    "path",
    "sid",
    "registry-key",
    "internal-ip",
    "url",
)
_MAX_WHERE = 5


@dataclass(frozen=True)
class Planted:
    value: str
    member: str
    cls: str
    where: str
    bundle: str


@dataclass(frozen=True)
class Attacker:
    value: str
    kind: str
    bundle: str


@dataclass(frozen=True)
class Expectation:
    """One bundle and what its expect file says about it."""

    bundle: str
    submitter: str
    published: bool
    planted: tuple[Planted, ...]
    attacker: tuple[Attacker, ...]
    raw: str

    @property
    def objects(self) -> list[dict[str, Any]]:
        return list(json.loads(self.raw)["objects"])


@dataclass(frozen=True)
class Fetched:
    """One thing a reader got: a response body or one object of it."""

    reader: str  # a member slug, or ANONYMOUS
    where: str
    text: str


@dataclass(frozen=True)
class Leak:
    value: str
    cls: str
    member: str
    bundles: tuple[str, ...]
    where: tuple[str, ...]
    readers: frozenset[str] = frozenset()

    @property
    def masked(self) -> str:
        return self.value[:3] + "…" if len(self.value) > 3 else self.value[:1] + "…"


@dataclass
class Report:
    leaks: list[Leak] = field(default_factory=list)
    kept: list[Attacker] = field(default_factory=list)
    lost: list[Attacker] = field(default_factory=list)
    flagged: Counter[str] = field(default_factory=Counter)
    planted_total: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def kept_ratio(self) -> float:
        total = len(self.kept) + len(self.lost)
        return len(self.kept) / total if total else 1.0

    def leaks_by_class(self) -> Counter[str]:
        return Counter(leak.cls for leak in self.leaks)

    def leaks_by_bundle(self) -> Counter[str]:
        return Counter(b for leak in self.leaks for b in leak.bundles)

    def describe_leaks(self) -> str:
        return "\n".join(
            f"  {leak.masked!r} [{leak.cls}, {leak.member}] in {', '.join(leak.bundles)}: "
            f"{'; '.join(leak.where)}"
            for leak in sorted(self.leaks, key=lambda x: (x.cls, x.bundles, x.value))
        )

    def describe_lost(self) -> str:
        return "\n".join(f"  {a.value!r} [{a.kind}] of {a.bundle}" for a in self.lost)

    def table(self) -> str:
        lines = [
            f"planted values searched: {self.planted_total}",
            f"leaks (distinct planted values found): {len(self.leaks)}",
        ]
        lines += [f"  {cls:<14} {n:>4}" for cls, n in sorted(self.leaks_by_class().items())]
        public = sum(1 for leak in self.leaks if ANONYMOUS in leak.readers)
        lines.append(f"  of which an anonymous client sees: {public}")
        lines.append("leaks by bundle (values only it carries / also carried by others):")
        alone = Counter(leak.bundles[0] for leak in self.leaks if len(leak.bundles) == 1)
        lines += [
            f"  {b:<48} {alone[b]:>4} / {n - alone[b]:>4}"
            for b, n in sorted(self.leaks_by_bundle().items())
        ]
        total = len(self.kept) + len(self.lost)
        lines.append(
            f"attacker values kept: {len(self.kept)}/{total} ({100 * self.kept_ratio:.1f} %)"
        )
        lines += [f"  lost {a.value!r} [{a.kind}] of {a.bundle}" for a in self.lost]
        lines.append(f"flagged for review: {sum(self.flagged.values())}")
        lines += [f"  {kind:<14} {n:>4}" for kind, n in sorted(self.flagged.items())]
        lines += self.notes
        return "\n".join(lines)


def load(folder: Path = BUNDLES) -> list[Expectation]:
    """Every bundle of the corpus with its expect file, in file-name order."""
    out: list[Expectation] = []
    for path in sorted(folder.glob("*.json")):
        if path.name.endswith(".expect.json"):
            continue
        expect_path = path.with_name(path.name[: -len(".json")] + ".expect.json")
        spec = json.loads(expect_path.read_text(encoding="utf-8"))
        name = path.name[: -len(".json")]
        out.append(
            Expectation(
                bundle=name,
                submitter=spec["submitter"],
                published=bool(spec["published"]),
                planted=tuple(
                    Planted(p["value"], p["member"], p["class"], p.get("where", ""), name)
                    for p in spec["planted"]
                ),
                attacker=tuple(Attacker(a["value"], a["kind"], name) for a in spec["attacker"]),
                raw=path.read_text(encoding="utf-8"),
            )
        )
    return out


def registered_planted(expectations: Sequence[Expectation]) -> list[Planted]:
    """Every member's registered literal assets, attributed to the bundles that carry them."""
    bundles = _bundle_haystack(expectations)
    out: list[Planted] = []
    for member in MEMBERS:
        for value in member.literal_assets():
            carriers = sorted(bundles.holders(value))
            for i in carriers or [-1]:
                name = expectations[i].bundle if i >= 0 else "(none)"
                out.append(Planted(value, member.slug, "registered", "registry", name))
    return out


def _bundle_haystack(expectations: Sequence[Expectation]) -> Haystack:
    return Haystack([Fetched(e.submitter, e.bundle, e.raw) for e in expectations])


class Haystack:
    """All decoded views of many fetched texts, searchable for which texts hold a value."""

    def __init__(self, fetched: Sequence[Fetched]) -> None:
        self.fetched = list(fetched)
        by_text: dict[str, list[int]] = {}
        for i, f in enumerate(self.fetched):
            by_text.setdefault(f.text, []).append(i)
        self._owners: list[list[int]] = []
        parts: list[str] = []
        self._starts: list[int] = []
        offset = 0
        for text, owners in by_text.items():
            for view in decoders.views(text):
                self._starts.append(offset)
                self._owners.append(owners)
                parts.append(view)
                offset += len(view) + 1
        self._big = "\x00".join(parts)

    def holders(self, value: str) -> set[int]:
        """Indexes of the fetched texts that contain the value in some decoded form."""
        found: set[int] = set()
        for needle in decoders.needles(value):
            if not needle:
                continue
            pos = self._big.find(needle)
            while pos >= 0:
                # Views are joined by NUL, which no needle holds and which bounds a hit.
                if decoders.bounded(self._big, needle, pos):
                    seg = bisect.bisect_right(self._starts, pos) - 1
                    found.update(self._owners[seg])
                    nxt = self._starts[seg + 1] if seg + 1 < len(self._starts) else len(self._big)
                    pos = self._big.find(needle, nxt)
                else:
                    pos = self._big.find(needle, pos + 1)
        return found


def check(
    expectations: Sequence[Expectation],
    fetched: Sequence[Fetched],
    *,
    flagged: Mapping[str, int] | None = None,
) -> Report:
    """Leaks of planted values anywhere; attacker values kept for the sector's readers."""
    report = Report(flagged=Counter(flagged or {}))
    hay = Haystack(fetched)
    carriers = _bundle_haystack(expectations)
    planted: dict[str, list[Planted]] = {}
    for p in [*(p for e in expectations for p in e.planted), *registered_planted(expectations)]:
        planted.setdefault(decoders.nfkc(p.value).casefold(), []).append(p)
    report.planted_total = len(planted)
    for group in planted.values():
        holders = hay.holders(group[0].value)
        if not holders:
            continue
        first = group[0]
        where = tuple(
            f"{hay.fetched[i].reader}: {hay.fetched[i].where}" for i in sorted(holders)[:_MAX_WHERE]
        )
        # A value leaks from whichever bundle carries it, declared there or not.
        carried = {expectations[i].bundle for i in carriers.holders(first.value)}
        bundles = tuple(sorted((carried | {p.bundle for p in group}) - {"(none)"})) or ("(none)",)
        readers = frozenset(hay.fetched[i].reader for i in holders)
        report.leaks.append(Leak(first.value, first.cls, first.member, bundles, where, readers))
    for e in expectations:
        if not e.published:
            continue
        sector = BY_SLUG[e.submitter].sector
        sector_readers = {m.slug for m in MEMBERS if m.sector == sector}
        for a in e.attacker:
            holders = hay.holders(a.value)
            if any(hay.fetched[i].reader in sector_readers for i in holders):
                report.kept.append(a)
            else:
                report.lost.append(a)
    return report


def split_objects(reader: str, where: str, body: str) -> Iterable[Fetched]:
    """A TAXII envelope as one Fetched per object (so a leak names its object), plus the rest."""
    try:
        doc = json.loads(body)
    except ValueError:
        yield Fetched(reader, where, body)
        return
    objects = doc.get("objects") if isinstance(doc, dict) else None
    if not isinstance(objects, list):
        yield Fetched(reader, where, body)
        return
    for obj in objects:
        oid = obj.get("id", "?") if isinstance(obj, dict) else "?"
        label = where if oid in where else f"{where} {oid}"
        yield Fetched(reader, label, json.dumps(obj, ensure_ascii=False))
    rest = {k: v for k, v in doc.items() if k != "objects"}
    yield Fetched(reader, f"{where} (envelope)", json.dumps(rest, ensure_ascii=False))
