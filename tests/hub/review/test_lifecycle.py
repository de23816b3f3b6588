"""The moves review and consent add to the state machine, and the sanitizer's keep hook."""

from __future__ import annotations

import pytest

from hub.models import Submission, SubmissionState
from hub.review import Edits
from hub.sanitize import MemberProfile, Policy, SectorRef, sanitize
from hub.stix.identity import hub_identity
from hub.submissions import lifecycle

S = SubmissionState


@pytest.mark.parametrize(
    ("start", "to"),
    [
        (S.IN_REVIEW, S.IN_REVIEW),  # an edit re-sanitizes
        (S.IN_REVIEW, S.WITHDRAWN),
        (S.AWAITING_CONSENT, S.REJECTED),
        (S.SENT_BACK, S.RECEIVED),  # a revised body is processed again
    ],
)
def test_review_moves_are_allowed_and_recorded(start: SubmissionState, to: SubmissionState) -> None:
    submission = Submission(id="s", state=start)
    event = lifecycle.move(submission, to, actor_account_id="op", reason="why")
    assert submission.state is to
    assert (event.from_state, event.to_state, event.reason) == (start.value, to.value, "why")


@pytest.mark.parametrize("final", [S.PUBLISHED, S.REJECTED, S.WITHDRAWN])
def test_nothing_leaves_a_final_state(final: SubmissionState) -> None:
    # Except a withdrawal after publication, which revokes what went out.
    for to in S:
        if (final, to) == (S.PUBLISHED, S.WITHDRAWN):
            continue
        with pytest.raises(lifecycle.InvalidTransition):
            lifecycle.move(Submission(id="s", state=final), to, actor_account_id=None)


def test_edits_merge_without_losing_or_repeating() -> None:
    merged = Edits(("a",), ("t1",), ()).merged(Edits(("a", "b"), (), ("k",)))
    assert merged == Edits(("a", "b"), ("t1",), ("k",))
    assert Edits.from_json(merged.to_json()) == merged
    assert Edits.from_json(None) == Edits()


PHISH = [
    {
        "type": "domain-name",
        "spec_version": "2.1",
        "id": "domain-name--3c10e93f-798e-5a26-a0c1-08156efab7f5",
        "value": "contoso-login.net",
    },
    {
        "type": "indicator",
        "spec_version": "2.1",
        "id": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
        "created": "2026-11-20T09:00:00Z",
        "modified": "2026-11-20T09:00:00Z",
        "pattern": "[domain-name:value = 'contoso-login.net']",
        "pattern_type": "stix",
        "valid_from": "2026-11-20T09:00:00Z",
        "description": "Contoso staff phished via contoso-login.net",
    },
]


def run(keep: tuple[str, ...]) -> list[dict[str, object]]:
    profile = MemberProfile(member_key="m", names=("Contoso",), keep_values=keep)
    return sanitize(
        PHISH,
        profile,
        Policy(),
        secret=b"k" * 32,
        hub_identity=hub_identity("H"),
        sector=SectorRef("energy", "Energy"),
    ).objects


def test_kept_values_survive_while_the_member_is_still_removed() -> None:
    # A domain outside every member's namespace that spells the member's name is the
    # attacker's look-alike: kept by default (and flagged), kept all the more when the
    # operator confirms it; the member's own name around it still goes.
    assert [o["value"] for o in run(()) if o["type"] == "domain-name"] == ["contoso-login.net"]
    kept = run(("Contoso-Login.net",))
    domain = next(o for o in kept if o["type"] == "domain-name")
    indicator = next(o for o in kept if o["type"] == "indicator")
    assert domain["value"] == "contoso-login.net"
    assert indicator["pattern"] == "[domain-name:value = 'contoso-login.net']"
    assert indicator["description"] == "[REDACTED:member-name] staff phished via contoso-login.net"


def test_a_look_alike_holding_the_members_domain_is_the_attackers() -> None:
    domain = "contoso-co.jp.login-check.net"
    objs = [
        {**PHISH[0], "value": domain},
        {
            **PHISH[1],
            "pattern": f"[domain-name:value = '{domain}']",
            "description": f"Contoso staff phished via {domain}",
        },
    ]
    profile = MemberProfile(member_key="m", names=("Contoso",), dns_domains=("contoso.co.jp",))
    kept = sanitize(
        objs,
        profile,
        Policy(),
        secret=b"k" * 32,
        hub_identity=hub_identity("H"),
        sector=SectorRef("energy", "Energy"),
    ).objects
    assert next(o for o in kept if o["type"] == "domain-name")["value"] == domain
    indicator = next(o for o in kept if o["type"] == "indicator")
    assert indicator["description"] == f"[REDACTED:member-name] staff phished via {domain}"
