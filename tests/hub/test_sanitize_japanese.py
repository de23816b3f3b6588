"""Japanese names in free text: the labelled corpus, properties, adversarial input, loading."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from hub.sanitize import japanese
from hub.sanitize.japanese import Finding, find
from tests.hub.japanese_corpus import ATTACKER, ATTACKER_TOKENS, LABELLED, SURNAMES

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _covered(findings: list[Finding]) -> set[int]:
    return {i for f in findings for i in range(f.start, f.end)}


def _occurrence(sentence: str, surface: str) -> range:
    start = sentence.find(surface)
    assert start >= 0, (sentence, surface)
    return range(start, start + len(surface))


def _well_formed(text: str, findings: list[Finding]) -> None:
    last = 0
    for f in findings:
        assert 0 <= f.start < f.end <= len(text)
        assert f.start >= last, "overlapping or unsorted"
        assert f.text == text[f.start : f.end]
        assert f.kind in ("person", "organization", "facility")
        assert f.cue
        last = f.end


# The labelled set as a table: recall, kinds, and nothing found in attacker text.


def test_labelled_recall_and_kinds() -> None:
    total = found = right_kind = spurious = 0
    missed = []
    for sentence, items in LABELLED:
        got = find(sentence)
        _well_formed(sentence, got)
        covered = _covered(got)
        wanted = [(_occurrence(sentence, s), kind) for s, kind in items]
        for span, kind in wanted:
            total += 1
            if set(span) <= covered:
                found += 1
                owner = next(f for f in got if f.start <= span.start < f.end)
                right_kind += owner.kind == kind
            else:
                missed.append((sentence, sentence[span.start : span.stop]))
        spurious += sum(
            not any(f.start < span.stop and span.start < f.end for span, _ in wanted) for f in got
        )
    assert total >= 130
    assert found / total >= 0.95, missed
    assert right_kind / found >= 0.95
    assert spurious <= 2


@pytest.mark.parametrize("sentence", ATTACKER)
def test_attacker_text_has_no_findings(sentence: str) -> None:
    assert find(sentence) == []


@pytest.mark.parametrize(
    ("text", "expected", "kind", "certain", "cue"),
    [
        ("作成: 田中 健", "田中 健", "person", True, "label:作成"),
        ("経理部の鈴木一郎さん", "鈴木一郎", "person", True, "honorific:さん"),
        ("担当: 佐藤", "佐藤", "person", True, "label:担当"),
        ("高橋部長", "高橋", "person", True, "title:部長"),
        ("山本様", "山本", "person", True, "honorific:様"),
        ("営業課 中村", "中村", "person", True, "department:営業課"),
        ("北九州工場", "北九州工場", "facility", True, "suffix:工場"),
        ("㈱青葉システムズ", "㈱青葉システムズ", "organization", True, "company:㈱"),
        ("本件は佐藤健太が一次調査を行った。", "佐藤健太", "person", False, "ner:PERSON"),
    ],
)
def test_cues(text: str, expected: str, kind: str, certain: bool, cue: str) -> None:
    got = find(text)
    assert [(f.text, f.kind, f.certain, f.cue) for f in got] == [(expected, kind, certain, cue)]


@pytest.mark.parametrize(
    "text",
    [
        "営業部長から連絡がありました。",
        "お客様各位",
        "ご担当者様",
        "皆様",
        "仕様書",
        "様々な手口",
        "データセンター",
        "コマンドラインで実行",
        "大家さんに連絡",
        "運転手さん",
        "お医者さん",
        "業者さん",
        "担当: 未定",
        "宛先: 経理部 各位",
        "システム管理者様",
        "オンライン会議",
        "工場長会議",
        "佐",
    ],
)
def test_common_words_are_not_names(text: str) -> None:
    assert find(text) == []


def test_one_kanji_only_with_a_cue() -> None:
    assert [f.text for f in find("林さんに連絡しました。")] == ["林"]
    assert all(len(f.text) >= 2 for f in find("林は森の中にある。"))


def test_never_inside_a_latin_token() -> None:
    for text in ["PlugX佐藤さん", "IDは tanaka田中 です", "APT10部長"]:
        for f in find(text):
            assert not (
                f.start > 0
                and text[f.start - 1].isascii()
                and text[f.start - 1].isalnum()
                and text[f.start].isascii()
                and text[f.start].isalnum()
            )


# Properties.

japanese_text = st.lists(
    st.sampled_from([s for s, _ in LABELLED] + ATTACKER), min_size=1, max_size=4
).map("".join)
any_text = st.one_of(
    st.text(max_size=300),
    japanese_text,
    st.text(alphabet="佐藤さん様株式会社工場部長：: \n、。abc-@.", max_size=200),
)


@SETTINGS
@given(any_text)
def test_findings_are_well_formed(text: str) -> None:
    _well_formed(text, find(text))


@SETTINGS
@given(st.text(alphabet=st.characters(max_codepoint=0x2FFF), max_size=500))
@example("Tanaka Ken, Accounting <k.tanaka@example.jp>")
def test_text_without_japanese_finds_nothing(text: str) -> None:
    if japanese.JAPANESE_RE.search(text) is None:
        assert find(text) == []


def _boundaries(text: str) -> list[int]:
    """Where a phrase can start: the beginning, or after a sentence or clause ends."""
    return [0] + [i + 1 for i, c in enumerate(text) if c in "。、\n"]


@SETTINGS
@given(japanese_text, st.sampled_from(ATTACKER_TOKENS), st.data())
def test_an_attacker_token_is_never_found(context: str, token: str, data: st.DataObject) -> None:
    at = data.draw(st.sampled_from(_boundaries(context)))
    tail = data.draw(st.sampled_from(["は", "が", "の", "を", " ", "。", "、"]))
    text = context[:at] + token + tail + context[at:]
    span = range(at, at + len(token))
    for f in find(text):
        assert not (f.start < span.stop and span.start < f.end), (text, f)


@SETTINGS
@given(
    st.lists(st.sampled_from(ATTACKER), min_size=1, max_size=3).map("".join),
    st.sampled_from(SURNAMES),
    st.sampled_from(["が", "から", "の", "に", "は", "、"]),
    st.data(),
)
def test_a_planted_surname_san_is_found(
    context: str, surname: str, particle: str, data: st.DataObject
) -> None:
    at = data.draw(st.sampled_from(_boundaries(context)))
    text = context[:at] + surname + "さん" + particle + context[at:]
    got = find(text)
    assert any(
        f.start <= at and at + len(surname) <= f.end and f.certain and f.kind == "person"
        for f in got
    ), (text, got)


# Adversarial input: every regex and the analyser run in linear time on 1 MB.


@pytest.mark.parametrize(
    "text",
    [
        "a" * 1_000_000,
        "." * 1_000_000,
        "@" * 1_000_000,
        "a-" * 500_000,
        " " * 1_000_000,
        "担当：" * 30_000,
        "株式会社" * 25_000,
        "佐藤さん" * 25_000,
        "工場" * 50_000,
        "漢" * 100_000,
        "：" * 100_000 + "佐藤",
    ],
)
def test_adversarial_input_finishes(text: str) -> None:
    got = find(text)
    _well_formed(text, got)


# The analyser loads lazily, once per process.


def _run(code: str) -> str:
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return proc.stdout.strip()


def test_the_analyser_is_not_loaded_at_import_nor_for_latin_text() -> None:
    out = _run(
        "import sys, hub.sanitize, hub.sanitize.japanese as j\n"
        "assert 'sudachipy' not in sys.modules\n"
        "assert j.find('Tanaka-san at PlugX C2 10.0.0.1') == []\n"
        "print('sudachipy' in sys.modules, j.loaded())"
    )
    assert out == "False False"


def test_the_analyser_loads_once() -> None:
    out = _run(
        "import hub.sanitize.japanese as j, hub.sanitize.japanese_tokens as t\n"
        "j.load(); j.load()\n"
        "for _ in range(3): j.find('佐藤さん')\n"
        "print(j.loaded(), t.dictionary.cache_info().misses)"
    )
    assert out == "True 1"


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("経理部の鈴木一郎さん", ("鈴木", "一郎")),
        ("作成: 田中 健", ("田中", "健")),
        ("本件は佐藤健太が調査した。", ("佐藤", "健太")),
        ("高橋部長", ()),
    ],
)
def test_a_person_carries_its_name_parts(text: str, parts: tuple[str, ...]) -> None:
    (f,) = find(text)
    assert f.parts == parts
    assert all(p in f.text for p in parts)
