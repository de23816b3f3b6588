"""`python -m tests.corpus [database-url]`: the corpus through a fresh hub, figures printed."""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path

from tests.corpus import checker, community
from tests.corpus.test_corpus import KEPT_TARGET, corpus_settings


async def main(url: str | None) -> int:
    corpus = checker.load()
    with tempfile.TemporaryDirectory() as tmp:
        db_url = url or f"sqlite+aiosqlite:///{Path(tmp) / 'corpus.db'}"
        started = time.perf_counter()
        async with community.open_hub(db_url, corpus_settings(db_url, Path(tmp) / "data")) as h:
            c, fetched = await community.run(h, corpus)
        elapsed = time.perf_counter() - started
    report = checker.check(corpus, fetched, flagged=c.flagged)
    report.notes += c.notes
    print(
        f"bundles: {len(corpus)}; responses and objects read: {len(fetched)}; "
        f"{elapsed:.1f} s through the API"
    )
    print(report.table())
    if report.leaks:
        print("leaks (value masked after 3 characters):\n" + report.describe_leaks())
    return 0 if not report.leaks and report.kept_ratio >= KEPT_TARGET else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else None)))
