"""The held-out corpus end to end through the HTTP API: no member's identifier reaches any
reader in any decoded form, and the attacker's indicators reach the sector's readers."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import stix2
from pydantic import SecretStr

from hub.config import Settings
from hub.submissions.pipeline import validate_body
from tests import conftest
from tests.corpus import checker, community
from tests.corpus.members import BY_SLUG, MEMBERS

CORPUS = checker.load()
KEPT_TARGET = 0.99


def corpus_settings(url: str, data_dir: Path) -> Settings:
    return Settings(
        database_url=url,
        secret_key=SecretStr(conftest.TEST_SECRET),
        data_dir=data_dir,
        max_body_bytes=2 * 1024 * 1024,
        max_objects=2000,
        key_touch_seconds=0,
        log_json=False,
        public_collection=True,
        sanitize_processes=1,
    )


@pytest.fixture(params=["sqlite", "postgresql"])
async def hub(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[community.Hub]:
    """A hub of its own (background sweep and sanitizer process running) on each backend."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'corpus.db'}"
        async with community.open_hub(url, corpus_settings(url, tmp_path / "data")) as h:
            yield h
        return
    if conftest.POSTGRES_MODE == "off":
        pytest.skip("PostgreSQL tests disabled (MAMORI_TEST_POSTGRES=off)")
    admin = conftest._postgres_admin()
    if admin is None:
        pytest.skip(f"PostgreSQL not reachable at {conftest.POSTGRES_URL}")
    name = f"mamori_corpus_{uuid.uuid4().hex[:12]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    url = (
        conftest.POSTGRES_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
        + f"/{name}"
    )
    try:
        async with community.open_hub(url, corpus_settings(url, tmp_path / "data")) as h:
            yield h
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.mark.parametrize("e", CORPUS, ids=[e.bundle for e in CORPUS])
def test_bundle_is_valid_stix_and_its_expect_file_is_consistent(e: checker.Expectation) -> None:
    stix2.parse(e.raw, allow_custom=True)
    # The hub accepts every object: a rejected one would never reach the sanitizer, and the
    # channels it carries would pass untested.
    rejected = {v.stix_id: v.problems for v in validate_body(e.raw.encode()) if v.problems}
    assert not rejected, f"the hub's validator rejects objects of {e.bundle}: {rejected}"
    assert e.submitter in BY_SLUG
    hay = checker.Haystack([checker.Fetched("bundle", e.bundle, e.raw)])
    missing = [p.value for p in e.planted if not hay.holders(p.value)]
    assert not missing, f"planted values absent from {e.bundle}: {missing}"
    absent = [a.value for a in e.attacker if not hay.holders(a.value)]
    assert not absent, f"attacker values absent from {e.bundle}: {absent}"
    assert e.published or not e.attacker
    assert all(p.cls in checker.CLASSES and p.member in BY_SLUG for p in e.planted)
    # An attacker value that holds a planted one could never be both kept and withheld.
    attacker = checker.Haystack([checker.Fetched("a", a.value, a.value) for a in e.attacker])
    registered = [v for m in MEMBERS for v in m.literal_assets()]
    clash = [v for v in [p.value for p in e.planted] + registered if attacker.holders(v)]
    assert not clash, f"planted values inside attacker values of {e.bundle}: {clash}"


async def test_no_member_identifier_reaches_any_reader(hub: community.Hub) -> None:
    c, fetched = await community.run(hub, CORPUS)
    report = checker.check(CORPUS, fetched, flagged=c.flagged)
    report.notes += c.notes
    print(report.table())
    assert not report.leaks, (
        f"{len(report.leaks)} planted values reached readers:\n{report.describe_leaks()}"
    )
    assert report.kept_ratio >= KEPT_TARGET, (
        f"attacker values kept {100 * report.kept_ratio:.1f} %:\n{report.describe_lost()}"
    )


DETECTION = [
    (e.bundle, o)
    for e in CORPUS
    for o in e.objects
    if o.get("type") == "indicator" and o.get("pattern_type") in ("yara", "sigma")
]


@pytest.mark.parametrize(
    "bundle,indicator", DETECTION, ids=[f"{b}:{o['pattern_type']}" for b, o in DETECTION]
)
def test_yara_and_sigma_indicators_parse(bundle: str, indicator: dict[str, object]) -> None:
    """The detection content is real: it compiles (YARA) or parses (Sigma) where the tools are."""
    pattern = str(indicator["pattern"])
    if indicator["pattern_type"] == "yara":
        plyara = pytest.importorskip("plyara")
        assert plyara.Plyara().parse_string(pattern), bundle
    else:
        rule = pytest.importorskip("sigma.rule")
        assert rule.SigmaRule.from_yaml(pattern).title, bundle
