"""E-mail internals: headers and hops are the attacker's only up to the member's border.

Allow-list, not deny-list: a header is kept only when it describes the sending side; every
Received hop is rebuilt from its from/by/with/date clauses (queue ids and recipients never
survive), and hops inside the member's mail system go whole.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from hub.sanitize.commands import names_internal_host
from hub.sanitize.context import Context
from hub.sanitize.report import mask
from hub.sanitize.text import TOKENS
from hub.sanitize.values import email_domain, is_victim_ip, parse_ip

# Headers that describe the sender and the message as the attacker wrote it.
SENDER_HEADERS = frozenset(
    {
        "from",
        "sender",
        "reply-to",
        "return-path",
        "subject",
        "date",
        "message-id",
        "x-mailer",
        "user-agent",
        "authentication-results",
        "received-spf",
        "dkim-signature",
        "mime-version",
        "content-type",
        "content-transfer-encoding",
        "content-language",
        "x-originating-ip",
        "in-reply-to",
        "references",
        "x-priority",
        "importance",
        "thread-topic",
        "errors-to",
        "list-unsubscribe",
        "organization",
        "x-sender",
    }
)
RECIPIENT_HEADERS = frozenset({"to", "cc", "bcc"})
HOP_HEADERS = frozenset({"received"})
ID_HEADERS = frozenset({"message-id", "in-reply-to", "references"})
# Inbound cloud gateways: a hop received by one of these is received by the member.
INBOUND_GATEWAYS = (
    "mail.protection.outlook.com",
    "pphosted.com",
    "iphmx.com",
    "mimecast.com",
    "messagelabs.com",
    "barracudanetworks.com",
    "trendmicro.com",
    "fireeyecloud.com",
)
CLAUSES = frozenset({"from", "by", "via", "with", "id", "for"})
MAX_HEADER = 64 * 1024
IPV4_IN_HOP = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")
BY_TOKEN = TOKENS["hostname"]
QUEUE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9.\-]{3,40}")


@dataclass(frozen=True)
class Hop:
    """One Received line split into its top-level clauses (comments kept with their clause)."""

    clauses: dict[str, str]
    date: str

    def rebuilt(self, by: str | None = None, *, with_id: bool = False) -> str:
        parts = []
        for name in ("from", "by", "with", "id") if with_id else ("from", "by", "with"):
            value = by if name == "by" and by is not None else self.clauses.get(name)
            if value:
                parts.append(f"{name} {value}")
        text = " ".join(parts)
        return f"{text}; {self.date}" if self.date else text


def parse_hop(line: str) -> Hop | None:
    """The clauses of a Received line; None when it has neither a from nor a by clause.

    One pass over the characters: top-level words (outside comments) that name a clause
    start it; the date follows the last top-level semicolon.
    """
    words: list[str] = []
    buf: list[str] = []
    depth = 0
    date_at = -1
    for ch in line[:MAX_HEADER]:
        if ch == "(":
            depth += 1
        elif ch == ")" and depth:
            depth -= 1
        if depth == 0 and (ch.isspace() or ch == ";"):
            if buf:
                words.append("".join(buf))
                buf = []
            if ch == ";":
                date_at = len(words)
                words.append(";")
            continue
        buf.append(ch)
    if buf:
        words.append("".join(buf))
    date = ""
    if date_at >= 0:
        date = " ".join(words[date_at + 1 :])
        words = words[:date_at]
    clauses: dict[str, list[str]] = {}
    current: list[str] | None = None
    for w in words:
        if w.lower() in CLAUSES and w.lower() not in clauses:
            current = clauses.setdefault(w.lower(), [])
        elif current is not None:
            current.append(w)
    if "from" not in clauses and "by" not in clauses:
        return None
    return Hop({k: " ".join(v) for k, v in clauses.items()}, date)


def is_global_ip(text: str) -> bool:
    """A parseable address that is globally routable (documentation ranges count as global)."""
    return parse_ip(text) is not None and not is_victim_ip(text, ())


class MailRules:
    """The mail channel rules for one sanitize() call."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.dashed = tuple(d.replace(".", "-") for d in ctx.redactor.domains if "." in d)
        self.dashed_re = (
            re.compile(
                "(?<![a-z0-9-])(?:"
                + "|".join(re.escape(d) for d in self.dashed)
                + ")(?![a-z0-9-])",
                re.IGNORECASE,
            )
            if self.dashed
            else None
        )

    def member_side(self, text: str) -> bool:
        """Text names a member host, range, domain, gateway tenant or a non-global address."""
        if self.ctx.mentions_victim(text) or names_internal_host(text):
            return True
        return self.dashed_re is not None and self.dashed_re.search(text) is not None

    def registered_side(self, text: str) -> bool:
        """Text names a member's registered value or an internal-only host name (a
        non-global address alone is not one)."""
        if names_internal_host(text):
            return True
        if any(h.rule != "private-ip" for h in self.ctx.redactor.find(text)):
            return True
        people = self.ctx.people
        if people is not None and people.find(text):
            return True
        return self.dashed_re is not None and self.dashed_re.search(text) is not None

    def external_address(self, clause: str) -> bool:
        """The clause names a global IPv4 address in no member's range."""
        return any(
            is_global_ip(ip) and not self.member_side(ip) for ip in IPV4_IN_HOP.findall(clause)
        )

    def received_by_member(self, by: str) -> bool:
        host = by.split(" ", 1)[0].lower().rstrip(".")
        if host.startswith("[redacted:"):
            return True  # the border of a route the hub already sanitized
        return self.registered_side(by) or any(
            host == g or host.endswith("." + g) for g in INBOUND_GATEWAYS
        )

    def undash(self, oid: str, path: str, text: str) -> str:
        """Replace a member domain written with dashes (cloud tenant names)."""
        if self.dashed_re is None:
            return text
        found = self.dashed_re.findall(text)
        for frag in found:
            self.ctx.recorder.add(oid, path, "member-domain", frag, "[REDACTED:domain]")
        return self.dashed_re.sub("[REDACTED:domain]", text) if found else text

    def received(self, oid: str, path: str, lines: list[Any]) -> list[str]:
        """The attacker's side of the route: hops up to and including the member's border."""
        rec = self.ctx.recorder
        hops = [parse_hop(line) if isinstance(line, str) else None for line in lines]
        border = max(
            (
                i
                for i, h in enumerate(hops)
                if h is not None and self.received_by_member(h.clauses.get("by", ""))
            ),
            default=-1,
        )
        if border < 0:
            # No registered receiver: the earliest hop received at a non-global address.
            border = max(
                (
                    i
                    for i, h in enumerate(hops)
                    if h is not None and self.member_side(h.clauses.get("by", ""))
                ),
                default=-1,
            )
        kept: list[str] = []
        for i, hop in enumerate(hops):
            where = f"{path}[{i}]"
            if hop is None:
                # Allow-list: a line that is not a hop cannot be rebuilt without its ids.
                rec.add(oid, where, "internal-hop", "hop", None, masked=True)
                continue
            sender, by = hop.clauses.get("from", ""), hop.clauses.get("by", "")
            # Hops are newest first: above the border every hop is inside the member; so is a
            # hop from a member host. Below it a non-global sender is the attacker's network.
            # A sender that connected from a public address outside every member is external,
            # whatever name it claimed (a forged HELO of the member's domain is the attacker's).
            inside = (
                self.member_side(sender) if i == border else self.registered_side(sender)
            ) and not self.external_address(sender)
            if i < border or inside:
                rec.add(oid, where, "internal-hop", "hop", None, masked=True)
                continue
            # A queue id is the receiving server's: the member's at its border, the
            # attacker's own on a hop between the attacker's servers (kept, it ties the
            # message to the attacker's mail server logs).
            attacker_id = i > border >= 0 and self._queue_id(hop.clauses.get("id", ""))
            if "id" in hop.clauses and not attacker_id:
                rec.add(oid, f"{where}.id", "queue-id", hop.clauses["id"], None)
            if "for" in hop.clauses:
                rec.add(oid, f"{where}.for", "victim-recipient", hop.clauses["for"], None)
            token = None
            if i == border:
                # The whole clause goes, comments included (they name the gateway's host).
                host = by.split(" ", 1)[0]
                hits = self.ctx.redactor.find(host)
                token = TOKENS.get(hits[0].rule, BY_TOKEN) if hits else BY_TOKEN
                if host.lower().startswith("[redacted:"):
                    token = host  # already the hub's token: kept as it is
                rec.add(oid, f"{where}.by", "internal-hop", by, token)
            kept.append(hop.rebuilt(token, with_id=bool(attacker_id)))
        return kept

    def _queue_id(self, value: str) -> bool:
        """A bare queue id (one token of letters and digits) that names nothing of a member."""
        return bool(QUEUE_ID.fullmatch(value)) and not self.registered_side(value)

    def headers(self, oid: str, fields: dict[str, Any], *, has_lines: bool) -> dict[str, Any]:
        """The allow-listed headers, with hops, ids and recipients of the member removed."""
        rec = self.ctx.recorder
        out: dict[str, Any] = {}
        for name, value in fields.items():
            key = str(name).lower()
            path = f"additional_header_fields.{name}"
            values = value if isinstance(value, list) else [value]
            if key in HOP_HEADERS:
                # A header hop alone has no route to find the border in; received_lines has.
                hops = [] if has_lines else self.received(oid, path, values)
                if has_lines:
                    rec.add(oid, path, "internal-hop", "hop", None, masked=True)
                if hops:
                    out[name] = hops if isinstance(value, list) else hops[0]
                continue
            if key not in SENDER_HEADERS and key not in RECIPIENT_HEADERS:
                # The name itself may be the member's (X-Kumotori-Spam): masked in the path too.
                masked = mask(str(name), "member-header") or "***"
                rec.add(
                    oid,
                    f"additional_header_fields.{masked}",
                    "member-header",
                    masked,
                    None,
                    masked=True,
                )
                continue
            kept = []
            for v in values:
                if not isinstance(v, str):
                    continue
                if key in ID_HEADERS:
                    v = self.message_ids(oid, path, v)
                elif key in RECIPIENT_HEADERS:
                    v = self.recipients(oid, path, v)
                v = self.undash(oid, path, v)
                if v.strip():
                    kept.append(v)
            if kept:
                out[name] = kept if isinstance(value, list) else kept[0]
        return out

    def message_ids(self, oid: str, path: str, value: str) -> str:
        """value without the Message-IDs that a member's own mail system generated."""
        kept = []
        for token in value.replace(",", " ").split():
            if "@" in token and self.member_message_id(token):
                self.ctx.recorder.add(oid, path, "member-message-id", token, None)
            else:
                kept.append(token)
        return " ".join(kept)

    def member_message_id(self, mid: str) -> bool:
        dom = email_domain(mid.strip().strip("<>"))
        return bool(dom and self.member_side(dom)) or self.member_side(mid)

    def recipients(self, oid: str, path: str, value: str) -> str:
        kept = []
        for addr in value.split(","):
            if self.member_side(addr):
                self.ctx.recorder.add(oid, path, "victim-recipient", addr.strip(), None)
            elif addr.strip():
                kept.append(addr.strip())
        return ", ".join(kept)


def email_message(o: dict[str, Any], oid: str, ctx: Context) -> None:
    """Apply the mail rules to one email-message in place (free text is redacted later)."""
    rules, rec, pol = MailRules(ctx), ctx.recorder, ctx.policy
    had_lines = "received_lines" in o
    mid = o.get("message_id")
    if isinstance(mid, str) and rules.member_message_id(mid):
        del o["message_id"]
        rec.add(oid, "message_id", "member-message-id", mid, None)
    if "received_lines" in o:
        if pol.email_headers == "drop" or (
            pol.email_headers == "redact" and not pol.keep_external_received_lines
        ):
            del o["received_lines"]
            rec.add(oid, "received_lines", "email-header", "received_lines", None, masked=True)
        elif pol.email_headers == "redact" and isinstance(o["received_lines"], list):
            kept = rules.received(oid, "received_lines", o["received_lines"])
            if kept:
                o["received_lines"] = kept
            else:
                del o["received_lines"]
    headers = o.get("additional_header_fields")
    if isinstance(headers, dict):
        if pol.email_headers == "drop":
            del o["additional_header_fields"]
            rec.add(oid, "additional_header_fields", "email-header", "headers", None, masked=True)
        elif pol.email_headers == "redact":
            kept_headers = rules.headers(oid, headers, has_lines=had_lines)
            if kept_headers:
                o["additional_header_fields"] = kept_headers
            else:
                del o["additional_header_fields"]
