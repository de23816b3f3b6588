"""E-mail internals: the attacker's side of a phishing mail survives, the member's does not."""

from __future__ import annotations

import ipaddress
import json
from typing import Any

import stix2
from hypothesis import given, settings
from hypothesis import strategies as st

from hub.sanitize import MemberProfile, Policy, sanitize
from hub.sanitize.mail import parse_hop
from tests.hub.sanitize_corpus import HUB, SECRET, SECTOR

MEMBER = MemberProfile(
    member_key="kumotori",
    names=("Kumotori Heavy Industries", "雲取重工業"),
    dns_domains=("kumotori-hi.co.jp",),
    email_domains=("mail.kumotori-hi.jp",),
    ip_ranges=(ipaddress.ip_network("133.242.10.0/24"),),
    ad_domains=("KMTRCORP",),
    hostname_patterns=("kmtws-*", "kmtmx??"),
)
T = "2024-03-05T10:17:23.456Z"
SENDER = "email-addr--11111111-2222-4333-8444-000000000001"
RCPT = "email-addr--11111111-2222-4333-8444-000000000002"
MAIL = "email-message--11111111-2222-4333-8444-000000000003"
OBS = "observed-data--11111111-2222-4333-8444-000000000004"
ZIP = "file--11111111-2222-4333-8444-000000000005"

EN_RECEIVED = [
    "from TYCPR01MB8871.jpnprd01.prod.outlook.com (2603:1096:400:1a2::7) by "
    "TYAPR01MB5562.jpnprd01.prod.outlook.com with HTTPS id 15.20.7316.20; "
    "Tue, 5 Mar 2024 10:17:30 +0000",
    "from kmtmx01.kumotori-hi.co.jp (133.242.10.25) by TYCPR01MB8871.jpnprd01.prod.outlook.com "
    "(2603:1096:400:1a2::7) with Microsoft SMTP Server id 15.20.7316.20 for "
    "<t.yamada@mail.kumotori-hi.jp>; Tue, 5 Mar 2024 10:17:28 +0000",
    "from mail.invoice-portal.top (mail.invoice-portal.top [45.77.12.9]) by "
    "kmtmx01.kumotori-hi.co.jp (Postfix) with ESMTPS id 4TqZ1x3Jd9z9sRk for "
    "<t.yamada@mail.kumotori-hi.jp>; Tue, 5 Mar 2024 10:17:25 +0000 (UTC)",
    "from [192.168.8.101] (unknown [185.220.101.4]) by mail.invoice-portal.top (Postfix) "
    "with ESMTPSA id 8D2F1A0042 for <t.yamada@mail.kumotori-hi.jp>; "
    "Tue, 5 Mar 2024 10:17:21 +0000 (UTC)",
]
EN_HEADERS: dict[str, Any] = {
    "Reply-To": "billing@invoice-portal.top",
    "X-Mailer": "Microsoft Outlook 16.0",
    "Authentication-Results": "spf.protection.outlook.com; spf=pass (sender IP is 45.77.12.9) "
    "smtp.mailfrom=invoice-portal.top; dkim=none; dmarc=none action=none "
    "header.from=invoice-portal.top; smtp.rcpttodomain=kumotori-hi-co-jp",
    "X-Kumotori-Spam-Score": "3.2",
    "X-KHI-Sandbox-Verdict": "malicious (case KHI-CSIRT-2024-0113)",
    "X-MS-Exchange-Organization-AuthSource": "TYCPR01MB8871.jpnprd01.prod.outlook.com",
    "X-Forefront-Antispam-Report": "CIP:45.77.12.9;CTRY:JP;LANG:en;SCL:5;SRV:;IPV:NLI;",
    "X-Proofpoint-Spam-Details": "rule=notspam policy=default score=0",
    "X-IronPort-AV": 'E=Sophos;i="6.07,102,1708358400"',
    "To": "t.yamada@mail.kumotori-hi.jp, partner@supplier-example.com",
    "Cc": "soc@kumotori-hi.co.jp",
    "In-Reply-To": "<CAF3xk2@invoice-portal.top> <20240301.AB12@kmtmx01.kumotori-hi.co.jp>",
    "Received": EN_RECEIVED[0],
    "X-Originating-IP": "[45.77.12.9]",
    "Received-Via": "kumotori-hi-co-jp.mail.protection.outlook.com",
}
JA_RECEIVED = [
    "from exch02.kmtrcorp.local (10.20.1.12) by exch01.kmtrcorp.local (10.20.1.11) with "
    "Microsoft SMTP Server id 15.1.2507.6; Wed, 6 Mar 2024 09:02:11 +0900",
    "from kumotori-hi-co-jp.mail.protection.outlook.com (52.101.1.1) by exch02.kmtrcorp.local "
    "with ESMTPS; Wed, 6 Mar 2024 09:02:10 +0900",
    "from smtp.kessai-tsuuchi.jp (smtp.kessai-tsuuchi.jp [103.15.28.77]) by "
    "kumotori-hi-co-jp.mail.protection.outlook.com (10.167.242.33) with ESMTP id "
    "OSAPR01CA0001; Wed, 6 Mar 2024 09:02:08 +0900",
]


def mail_bundle(
    received: list[str], headers: dict[str, Any], subject: str, body: str
) -> list[dict[str, Any]]:
    sco = {"spec_version": "2.1"}
    return [
        {
            **sco,
            "type": "email-addr",
            "id": SENDER,
            "value": "billing@invoice-portal.top",
            "display_name": "Invoice Desk",
        },
        {**sco, "type": "email-addr", "id": RCPT, "value": "t.yamada@mail.kumotori-hi.jp"},
        {
            **sco,
            "type": "email-message",
            "id": MAIL,
            "is_multipart": True,
            "from_ref": SENDER,
            "to_refs": [RCPT],
            "subject": subject,
            "date": T,
            "message_id": "<20240305101721.8D2F1A0042@mail.invoice-portal.top>",
            "received_lines": received,
            "additional_header_fields": headers,
            "body_multipart": [
                {"content_type": "text/plain; charset=utf-8", "body": body},
                {
                    "content_type": "application/zip",
                    "body_raw_ref": ZIP,
                    "content_disposition": 'attachment; filename="invoice_0305.zip"',
                },
            ],
        },
        {
            **sco,
            "type": "file",
            "id": ZIP,
            "name": "invoice_0305.zip",
            "hashes": {"SHA-256": "a" * 64},
        },
        {
            "type": "observed-data",
            "spec_version": "2.1",
            "id": OBS,
            "created": T,
            "modified": T,
            "first_observed": T,
            "last_observed": T,
            "number_observed": 1,
            "object_refs": [MAIL, SENDER, RCPT, ZIP],
        },
    ]


def run(objs: list[dict[str, Any]], policy: Policy | None = None) -> Any:
    return sanitize(
        objs, MEMBER, policy or Policy(), secret=SECRET, hub_identity=HUB, sector=SECTOR
    )


def published(result: Any) -> str:
    return json.dumps(result.objects, ensure_ascii=False).lower()


def message(result: Any) -> dict[str, Any]:
    found: dict[str, Any] = next(o for o in result.objects if o["type"] == "email-message")
    return found


def parse(objs: list[dict[str, Any]]) -> None:
    stix2.parse(
        {"type": "bundle", "id": "bundle--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0062", "objects": objs},
        allow_custom=False,
    )


MEMBER_VALUES = (
    "kumotori",
    "kmtmx01",
    "t.yamada",
    "133.242.10",
    "kmtrcorp",
    "exch0",
    "khi-csirt",
    "4tqz1x3jd9z9srk",
    "osapr01ca0001",
    "tycpr01mb8871",
    "tyapr01mb5562",
    "10.20.1",
    "10.167.242",
    "soc@",
    "spam-score",
    "forefront",
    "proofpoint",
    "ironport",
    "ab12",
)
ATTACKER_VALUES = (
    "invoice-portal.top",
    "45.77.12.9",
    "185.220.101.4",
    "billing@",
    "microsoft outlook 16.0",
    "kessai-tsuuchi.jp",
    "103.15.28.77",
    "caf3xk2@invoice-portal.top",
    "invoice_0305.zip",
    "partner@supplier-example.com",
    "20240305101721.8d2f1a0042@mail.invoice-portal.top",
)


def test_english_phishing_mail_keeps_the_sending_side_only() -> None:
    body = (
        "Dear Yamada-san,\nPlease find the invoice attached. Reply to "
        "t.yamada@mail.kumotori-hi.jp or call +81 3 5555 0101.\n"
    )
    result = run(mail_bundle(EN_RECEIVED, EN_HEADERS, "Invoice 0305 overdue", body))
    parse(result.objects)
    out = published(result)
    # The member's gateway's queue id goes; the attacker's own relay's queue id (also in its
    # Message-ID) is the attacker's and stays.
    leaked = [v for v in MEMBER_VALUES if v in out]
    assert leaked == []
    mail = message(result)
    assert mail["received_lines"] == [
        "from mail.invoice-portal.top (mail.invoice-portal.top [45.77.12.9]) by "
        "[REDACTED:domain] with ESMTPS; Tue, 5 Mar 2024 10:17:25 +0000 (UTC)",
        "from [[REDACTED:ip]] (unknown [185.220.101.4]) by mail.invoice-portal.top (Postfix) "
        "with ESMTPSA id 8D2F1A0042; Tue, 5 Mar 2024 10:17:21 +0000 (UTC)",
    ]
    headers = mail["additional_header_fields"]
    assert set(headers) == {
        "Reply-To",
        "X-Mailer",
        "Authentication-Results",
        "To",
        "In-Reply-To",
        "X-Originating-IP",
    }
    assert headers["To"] == "partner@supplier-example.com"
    assert headers["In-Reply-To"] == "<CAF3xk2@invoice-portal.top>"
    assert "smtp.mailfrom=invoice-portal.top" in headers["Authentication-Results"]
    assert mail["message_id"] == "<20240305101721.8D2F1A0042@mail.invoice-portal.top>"
    assert [
        a
        for a in ("invoice-portal.top", "45.77.12.9", "185.220.101.4", "invoice_0305.zip")
        if a not in out
    ] == []
    rules = result.report.counts_by_rule
    assert rules["member-header"] >= 6 and rules["internal-hop"] >= 3
    assert rules["queue-id"] == 1 and rules["victim-recipient"] >= 3


def test_japanese_mail_through_a_cloud_gateway_keeps_the_attacker_hop() -> None:
    body = (
        "雲取重工業 経理部 御中\n\nいつもお世話になっております。\n"
        "3月分の請求書を添付いたします。ご確認ください。\n"
        "社内ファイルサーバ \\\\kmtws-fs01\\share\\経理 にも保存しました。\n"
    )
    headers = {
        "X-Mailer": "Becky! ver. 2.81.04",
        "X-Kumotori-Filter": "passed",
        "Return-Path": "<info@kessai-tsuuchi.jp>",
    }
    result = run(mail_bundle(JA_RECEIVED, headers, "【重要】3月分ご請求書の送付", body))
    parse(result.objects)
    out = published(result)
    assert [v for v in MEMBER_VALUES if v in out] == []
    assert "雲取" not in out and "kmtws-fs01" not in out
    mail = message(result)
    assert mail["received_lines"] == [
        "from smtp.kessai-tsuuchi.jp (smtp.kessai-tsuuchi.jp [103.15.28.77]) by "
        "[REDACTED:hostname] with ESMTP; Wed, 6 Mar 2024 09:02:08 +0900"
    ]
    assert mail["subject"] == "【重要】3月分ご請求書の送付"
    assert set(mail["additional_header_fields"]) == {"X-Mailer", "Return-Path"}
    assert "3月分の請求書を添付いたします" in mail["body_multipart"][0]["body"]


def test_a_mail_sent_from_inside_keeps_no_hop() -> None:
    lines = [
        "from kmtws-0231.kumotori-hi.co.jp (10.1.2.3) by kmtmx01.kumotori-hi.co.jp "
        "with ESMTP id 4Xyz; Tue, 5 Mar 2024 10:00:00 +0000"
    ]
    mail = message(run(mail_bundle(lines, {}, "fwd", "see below")))
    assert "received_lines" not in mail


def test_drop_and_keep_policies() -> None:
    objs = mail_bundle(EN_RECEIVED, EN_HEADERS, "Invoice", "hello")
    dropped = message(run(objs, Policy(email_headers="drop")))
    assert "received_lines" not in dropped and "additional_header_fields" not in dropped
    no_hops = message(run(objs, Policy(keep_external_received_lines=False)))
    assert "received_lines" not in no_hops


def test_sco_id_is_recomputed_and_output_idempotent() -> None:
    objs = mail_bundle(EN_RECEIVED, EN_HEADERS, "Invoice for kumotori-hi.co.jp", "x")
    first = run(objs)
    again = run(first.objects)
    assert json.dumps(again.objects, sort_keys=True) == json.dumps(first.objects, sort_keys=True)
    assert message(first)["id"] != MAIL


def test_hop_parser_is_linear_on_adversarial_lines() -> None:
    for chunk in ("a", ".", "@", "a-", " ", "(", "from ", "by (", ";"):
        hop = parse_hop(chunk * (1 << 20))
        assert hop is None or isinstance(hop.date, str)


member_host = st.sampled_from(
    [
        "kmtmx01.kumotori-hi.co.jp",
        "kmtws-77",
        "133.242.10.8",
        "10.9.8.7",
        "kumotori-hi-co-jp.mail.protection.outlook.com",
        "relay.mail.kumotori-hi.jp",
    ]
)
label = st.text(alphabet="abcdefghijklmnoprstuvwy", min_size=4, max_size=9)
# Planted secrets start with "zq", which no attacker label or fixture text contains.
planted = st.text(alphabet="bcdfghjklmnpqrstvwxz", min_size=4, max_size=9).map("zq".__add__)
header_name = st.builds(
    lambda a, b: f"X-{a}-{b}",
    st.sampled_from(
        ["Kumotori", "KHI", "MS-Exchange-Organization", "Forefront", "Proofpoint", "Acme"]
    ),
    label,
)


@settings(max_examples=40, deadline=None)
@given(
    host=member_host,
    name=header_name,
    secret=planted,
    attacker=label,
    queue=st.text(alphabet="ABCDEFGHJKLMNPQRSTUVWXYZ0123456789", min_size=8, max_size=14).map(
        "Z".__add__
    ),
)
def test_a_member_value_in_any_header_or_hop_never_survives(
    host: str, name: str, secret: str, attacker: str, queue: str
) -> None:
    evil = f"mx.{attacker}-bulk.top"
    lines = [
        f"from {host} by {host} with ESMTP id {queue}; Tue, 5 Mar 2024 10:00:00 +0000",
        f"from {evil} (unknown [45.77.12.9]) by {host} with ESMTPS id {queue}Q for "
        f"<{secret}@mail.kumotori-hi.jp>; Tue, 5 Mar 2024 09:59:59 +0000",
    ]
    headers = {name: f"{secret} {host}", "X-Mailer": f"{attacker}mail 1.0", "Received": lines[0]}
    result = run(mail_bundle(lines, headers, "Invoice", "hello"))
    parse(result.objects)
    out = published(result)
    report = json.dumps(result.report.to_json()).lower()
    for planted in (host.lower(), secret, queue.lower(), name.lower()):
        assert planted not in out
        assert planted not in report
    assert evil in out and f"{attacker}mail 1.0" in out and "45.77.12.9" in out


PARTNER = MemberProfile(
    member_key="partner",
    names=("Hokuriku Precision",),
    dns_domains=("hokuriku-seimitsu.co.jp",),
    ip_ranges=(ipaddress.ip_network("203.0.113.0/26"),),
)


@settings(max_examples=25, deadline=None)
@given(label=planted, evil=label)
def test_another_member_s_mail_internals_never_survive(label: str, evil: str) -> None:
    # A supplier (another member) received the mail first and forwarded it.
    partner_host = f"{label}.hokuriku-seimitsu.co.jp"
    lines = [
        f"from {partner_host} (203.0.113.7) by kmtmx01.kumotori-hi.co.jp with ESMTPS id "
        f"Z{label.upper()}; Tue, 5 Mar 2024 10:00:02 +0000",
        f"from relay.{label}.local (10.1.1.1) by {partner_host} with ESMTP; "
        "Tue, 5 Mar 2024 10:00:01 +0000",
        f"from mx.{evil}.top (45.77.12.9) by mx.hokuriku-seimitsu.co.jp (203.0.113.5) with "
        "ESMTP; Tue, 5 Mar 2024 10:00:00 +0000",
    ]
    headers = {f"X-Hokuriku-{label}": "scanned", "To": f"{label}@hokuriku-seimitsu.co.jp"}
    objs = mail_bundle(lines, headers, "Invoice", "hello")
    result = sanitize(
        objs, MEMBER, Policy(), secret=SECRET, hub_identity=HUB, sector=SECTOR, others=[PARTNER]
    )
    parse(result.objects)
    out = published(result)
    assert label not in out and "hokuriku" not in out and "203.0.113" not in out
    assert f"mx.{evil}.top" in out and "45.77.12.9" in out


def test_a_forged_member_helo_from_a_public_address_is_the_attacker_s_hop() -> None:
    lines = [
        "from kmtmx01.kumotori-hi.co.jp (10.1.1.5) by kmtmbx02.kumotori-hi.co.jp with ESMTP; "
        "Tue, 5 Mar 2024 10:00:01 +0000",
        "from kumotori-hi.co.jp (unknown [185.220.101.4]) by kmtmx01.kumotori-hi.co.jp "
        "(Postfix) with ESMTP id 4Tq; Tue, 5 Mar 2024 10:00:00 +0000",
    ]
    mail = message(run(mail_bundle(lines, {}, "Invoice", "hello")))
    assert mail["received_lines"] == [
        "from [REDACTED:domain] (unknown [185.220.101.4]) by [REDACTED:domain] with ESMTP; "
        "Tue, 5 Mar 2024 10:00:00 +0000"
    ]
