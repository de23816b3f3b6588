"""Japanese name finding: three analysers measured on the labelled corpus, and the finder.

Run: .venv/bin/python -m bench.japanese [--ginza-python PATH] [--no-adversarial]

For each analyser (SudachiPy + sudachidict-core, fugashi + unidic-lite, GiNZA ja_ginza), in
a fresh process of its own: recall on the labelled member names in
tests/hub/japanese_corpus.py (an item counts when an entity span of the analyser overlaps
it), attacker sentences with any entity (false positives), spurious entities in the
labelled sentences, speed in characters per second, load time and resident memory. Then
the same for hub.sanitize.japanese.find (the chosen analyser with the cue rules), where an
item counts only when findings cover it entirely. An analyser that is not installed in the
given interpreter is reported as such; GiNZA is usually kept in a separate environment
(``--ginza-python``) because it pins its own SudachiPy. Last, the finder's time on 1 MB
inputs built to make a matcher backtrack (runs of one character, of labels, of cues).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
Span = tuple[int, int]


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _sudachi() -> Callable[[str], list[Span]]:
    from sudachipy import Dictionary, SplitMode

    tok = Dictionary(dict="core").tokenizer(mode=SplitMode.C)

    def ents(text: str) -> list[Span]:
        return [
            (m.begin(), m.end()) for m in tok.tokenize(text) if m.part_of_speech()[1] == "固有名詞"
        ]

    return ents


def _fugashi() -> Callable[[str], list[Span]]:
    import fugashi

    tagger = fugashi.Tagger()

    def ents(text: str) -> list[Span]:
        out, pos = [], 0
        for w in tagger(text):
            start = text.find(w.surface, pos)
            if start < 0:
                continue
            pos = start + len(w.surface)
            if w.feature.pos2 == "固有名詞":
                out.append((start, pos))
        return out

    return ents


GINZA_LABELS = {
    "Person",
    "Company",
    "Organization_Other",
    "Facility",
    "Facility_Other",
    "Plant",
    "Factory",
    "Military_Base",
    "Research_Institute",
    "Corporation_Other",
    "Government",
    "Political_Party",
    "Bank",
    "PERSON",
    "ORG",
    "FAC",
}


def _ginza() -> Callable[[str], list[Span]]:
    import spacy

    nlp = spacy.load("ja_ginza")

    def ents(text: str) -> list[Span]:
        return [
            (e.start_char, e.end_char)
            for e in nlp(text).ents
            if e.label_ in GINZA_LABELS or e.label_.startswith(("Facility", "Company"))
        ]

    return ents


def _finder() -> Callable[[str], list[Span]]:
    from hub.sanitize import japanese

    japanese.load()

    def ents(text: str) -> list[Span]:
        return [(f.start, f.end) for f in japanese.find(text)]

    return ents


LOADERS: dict[str, Callable[[], Callable[[str], list[Span]]]] = {
    "sudachi": _sudachi,
    "fugashi": _fugashi,
    "ginza": _ginza,
    "finder": _finder,
}
NAMES = {
    "sudachi": "SudachiPy + sudachidict-core",
    "fugashi": "fugashi + unidic-lite",
    "ginza": "GiNZA (ja_ginza)",
    "finder": "hub.sanitize.japanese.find",
}


def _occurrences(sentence: str, items: Sequence[tuple[str, str]]) -> list[Span]:
    spans, pos = [], 0
    for surface, _ in items:
        start = sentence.find(surface, pos if sentence.find(surface, pos) >= 0 else 0)
        spans.append((start, start + len(surface)))
        pos = start + len(surface)
    return spans


def measure(name: str) -> dict[str, Any]:
    """Run in the worker process: the figures for one analyser."""
    from tests.hub.japanese_corpus import ATTACKER, LABELLED

    rss0 = _rss_mb()
    t0 = time.perf_counter()
    ents = LOADERS[name]()
    ents("東京")
    load_s = time.perf_counter() - t0
    strict = name == "finder"
    total = found = spurious = 0
    for sentence, items in LABELLED:
        got = ents(sentence)
        wanted = _occurrences(sentence, items)
        for s, e in wanted:
            total += 1
            if strict:
                covered = set().union(*(range(a, b) for a, b in got)) if got else set()
                found += set(range(s, e)) <= covered
            else:
                found += any(a < e and s < b for a, b in got)
        spurious += sum(not any(a < e and s < b for s, e in wanted) for a, b in got)
    fp = sum(bool(ents(s)) for s in ATTACKER)
    text = "\n".join([s for s, _ in LABELLED] + ATTACKER)
    reps = 3 if name == "ginza" else 30
    t0 = time.perf_counter()
    for _ in range(reps):
        for line in text.splitlines():
            ents(line)
    secs = time.perf_counter() - t0
    return {
        "analyser": NAMES[name],
        "recall": round(found / total, 3),
        "items": total,
        "attacker_fp": fp,
        "attacker_sentences": len(ATTACKER),
        "spurious": spurious,
        "chars_per_s": round(len(text) * reps / secs),
        "load_s": round(load_s, 3),
        "rss_mb": round(_rss_mb() - rss0, 1),
    }


def _run(python: str, name: str) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [python, "-m", "bench.japanese", "--worker", name],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["failed"])[-1]
        return {"analyser": NAMES[name], "error": last[:80]}
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


ADVERSARIAL = {
    "word characters": "a" * 1_000_000,
    "dots": "." * 1_000_000,
    "@": "@" * 1_000_000,
    "a-": "a-" * 500_000,
    "spaces": " " * 1_000_000,
    "one kana": "さ" * 1_000_000,
    "one kanji": "漢" * 1_000_000,
    "labels": "担当：" * 333_333,
    "company forms": "株式会社" * 250_000,
    "names with さん": "佐藤さん" * 250_000,
    "facility suffixes": "工場" * 500_000,
    "one long line": "田中部長の北九州工場、" * 90_000,
}


def adversarial() -> None:
    """Seconds for the finder on 1 MB inputs built to make a matcher backtrack."""
    from hub.sanitize import japanese

    japanese.load()
    print(f"{'1 MB adversarial input':24} {'chars':>9} {'found':>7} {'seconds':>8}")
    for name, text in ADVERSARIAL.items():
        t0 = time.perf_counter()
        found = len(japanese.find(text))
        print(f"{name:24} {len(text):9,} {found:7,} {time.perf_counter() - t0:8.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", choices=sorted(LOADERS))
    parser.add_argument(
        "--ginza-python",
        default=sys.executable,
        help="interpreter of an environment with ja-ginza installed",
    )
    parser.add_argument("--no-adversarial", action="store_true", help="skip the 1 MB inputs")
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(measure(args.worker), ensure_ascii=False))
        return
    rows = [_run(args.ginza_python if n == "ginza" else sys.executable, n) for n in LOADERS]
    head = f"{'analyser':30} {'recall':>7} {'FP':>7} {'spur':>5} {'chars/s':>10}"
    head += f" {'load s':>7} {'RSS MB':>7}"
    print(head)
    for r in rows:
        if "error" in r:
            print(f"{r['analyser']:30} not measured: {r['error']}")
            continue
        print(
            f"{r['analyser']:30} {r['recall']:7.3f}"
            f" {r['attacker_fp']:>3}/{r['attacker_sentences']:<3}"
            f" {r['spurious']:5} {r['chars_per_s']:10,} {r['load_s']:7.2f} {r['rss_mb']:7.1f}"
        )
    print(
        f"labelled items: {rows[0].get('items', '?')}; recall of the analysers counts an overlap, "
        "of the finder full coverage"
    )
    if not args.no_adversarial:
        print()
        adversarial()


if __name__ == "__main__":
    main()
