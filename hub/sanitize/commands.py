"""Command lines: remote-execution arguments name internal hosts, accounts and passwords.

`psexec \\\\host -u DOMAIN\\user -p secret`, `wmic /node:host`, `mstsc /v:host`,
`Invoke-Command -ComputerName host`: the argument after such a switch is the victim's
machine or credential unless it is a public address or an outside FQDN (the attacker's).
"""

from __future__ import annotations

import re

from hub.sanitize.context import Context
from hub.sanitize.text import TOKENS
from hub.sanitize.values import domain_matches, hostname_matches, is_victim_ip, parse_ip

# Names that only resolve inside an organisation: no attacker's server is reached by them.
INTERNAL_SUFFIXES = (
    ".local",
    ".lan",
    ".internal",
    ".intra",
    ".intranet",
    ".corp",
    ".home",
    ".localdomain",
    ".private",
    ".home.arpa",
)
_SPLIT = str.maketrans({c: " " for c in "()[]<>;,'\"=/\\"})


def is_internal_name(host: str) -> bool:
    """A dotted host name under a suffix that only resolves inside an organisation."""
    name = host.strip().lower().rstrip(".")
    return "." in name and name.endswith(INTERNAL_SUFFIXES)


def names_internal_host(text: str) -> bool:
    """Any word of text is an internal-only host name (one pass, no regex)."""
    return any(is_internal_name(w) for w in text.translate(_SPLIT).split())


def host_is_victim(host: str, ctx: Context) -> bool:
    """A host of a member or of the victim side: its domains, host patterns, ranges,
    non-global addresses and internal-only names."""
    p = ctx.profile
    return (
        is_internal_name(host)
        or domain_matches(host, ctx.redactor.domains)
        or hostname_matches(host, p.hostname_patterns)
        or is_victim_ip(host, p.ip_ranges)
    )


# Remote-host and credential arguments of the usual lateral-movement commands.
_HOST_COLON = ("/node:", "/v:", "/server:", "/computer:", "-computername:")
_HOST_NEXT = frozenset({"-computername", "-cn", "-computer", "-server", "/s", "-hostname"})
_USER_COLON = ("/user:", "/u:", "-user:", "-username:")
_USER_NEXT = frozenset({"-u", "-user", "-username", "/u", "-credential", "--user"})
_PASS_COLON = ("/p:", "/password:", "/pass:", "-password:")
_PASS_NEXT = frozenset({"-p", "-password", "/p", "--password", "-pw"})
PASSWORD_TOKEN = "[REDACTED:password]"  # noqa: S105 - the token, not a password
# 7-Zip and RAR, whose passwords are glued to their switch.
_ARCHIVER = re.compile(r"(?i)(?:^|[\\/\"'])(?:7z|7za|7zr|rar|winrar)(?:\.exe)?[\"']?$")


def _quoted(arg: str, token: str) -> str:
    """token in place of arg, keeping the quotes around it."""
    q = arg[0] if arg[:1] in "\"'" and arg[-1:] == arg[:1] and len(arg) > 1 else ""
    return f"{q}{token}{q}"


def _host_arg(host: str, ctx: Context) -> str:
    """A remote-host argument: kept when public (the attacker's), else a token."""
    bare = host.strip("\\'\"").lstrip("\\")
    ip = parse_ip(bare)
    if ip is not None and not is_victim_ip(bare, ctx.profile.ip_ranges):
        return host
    if ip is None and "." in bare and not host_is_victim(bare, ctx):
        return host
    return TOKENS["hostname"]


def command_line(line: str, ctx: Context) -> tuple[str, list[tuple[str, str]]]:
    """line with internal hosts, accounts and passwords in remote-execution arguments replaced.

    Whitespace-separated arguments, one pass; shares and registered values are left to the
    free-text redactor, which runs after. Returns the line and each (argument, token).
    """
    changes: list[tuple[str, str]] = []

    def swap(value: str, new: str) -> str:
        if new != value:
            changes.append((value, new))
        return new

    parts = re.split(r"(\s+)", line)
    has_user = any(p.lower() in _USER_NEXT or p.lower().startswith(_USER_COLON) for p in parts)
    archiver = any(_ARCHIVER.search(p) for p in parts[:8])
    iis = any("w3wp" in p.lower() for p in parts[:4])
    out: list[str] = []
    pending: str | None = None
    for part in parts:
        if not part or part.isspace():
            out.append(part)
            continue
        low = part.lower()
        if pending is not None:
            out.append(
                swap(
                    part,
                    _host_arg(part, ctx)
                    if pending == "host"
                    else TOKENS["user-path"]
                    if pending == "user"
                    else _quoted(part, TOKENS["term"])
                    if pending == "pool"
                    else PASSWORD_TOKEN,
                )
            )
            pending = None
            continue
        if archiver and (low.startswith("-hp") or low.startswith("-p")) and len(part) > 3:
            # 7-Zip's and RAR's "-p<password>", "-hp<password>": a secret, never published.
            cut = 3 if low.startswith("-hp") else 2
            out.append(part[:cut] + swap(part[cut:], PASSWORD_TOKEN))
            continue
        if iis and low == "-ap":
            # IIS worker "-ap <pool>": the application pool names the member's application.
            pending = "pool"
            out.append(part)
            continue
        colon = next(
            (
                pre
                for pre in (*_HOST_COLON, *_USER_COLON, *_PASS_COLON)
                if low.startswith(pre) and len(low) > len(pre)
            ),
            None,
        )
        if colon is not None:
            value = part[len(colon) :]
            new = (
                _host_arg(value, ctx)
                if colon in _HOST_COLON
                else TOKENS["user-path"]
                if colon in _USER_COLON
                else PASSWORD_TOKEN
            )
            out.append(part[: len(colon)] + swap(value, new))
        elif part.startswith("\\\\") and is_internal_name(part[2:].split("\\", 1)[0]):
            # \\fs02.hq.local\share: an internal-only name, though dotted like a public one.
            host, sep, rest = part[2:].partition("\\")
            out.append("\\\\" + swap(host, TOKENS["hostname"]) + sep + rest)
        elif low in _HOST_NEXT:
            pending = "host"
            out.append(part)
        elif low in _USER_NEXT:
            pending = "user"
            out.append(part)
        elif low in _PASS_NEXT and has_user:
            pending = "pass"
            out.append(part)
        else:
            out.append(part)
    return "".join(out), changes
