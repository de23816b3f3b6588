"""Victim channels of cyber-observable objects: addresses, mail, accounts, processes, files."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from hub.sanitize.commands import command_line, host_is_victim
from hub.sanitize.context import Context
from hub.sanitize.mail import email_message
from hub.sanitize.parameters import ParameterRedactor
from hub.sanitize.shapes import opaque_name
from hub.sanitize.text import TOKEN_RE
from hub.sanitize.values import (
    UNC_RE,
    domain_matches,
    email_domain,
    is_victim_ip,
    parse_ip,
    url_host,
)

# Environment variables whose values name the user, the machine or the domain.
IDENTIFYING_ENV = {
    "username": "[REDACTED:username]",
    "user": "[REDACTED:username]",
    "logname": "[REDACTED:username]",
    "userprofile": "[REDACTED:username]",
    "home": "[REDACTED:username]",
    "homepath": "[REDACTED:username]",
    "computername": "[REDACTED:hostname]",
    "hostname": "[REDACTED:hostname]",
    "logonserver": "[REDACTED:hostname]",
    "userdomain": "[REDACTED:domain]",
    "userdnsdomain": "[REDACTED:domain]",
    "userdomain_roamingprofile": "[REDACTED:domain]",
    "onedrive": "[REDACTED:username]",
    "appdata": "[REDACTED:username]",
    "localappdata": "[REDACTED:username]",
    "temp": "[REDACTED:username]",
    "tmp": "[REDACTED:username]",
    "mail": "[REDACTED:email]",
}
ACCOUNT_PERSONAL = ("user_id", "account_login", "display_name", "credential")
CERT_NAMES = ("subject", "issuer")
ATTACKER_TYPES = frozenset(
    {"threat-actor", "intrusion-set", "malware", "tool", "infrastructure", "campaign"}
)
# Documents and data, not payloads: named after a member and tied to no attacker object,
# such a file is the member's own.
PAYLOAD_EXTENSIONS = frozenset(
    "exe dll scr com cpl sys js jse vbs vbe wsf hta ps1 psm1 bat cmd lnk iso img vhd vhdx "
    "msi msix jar apk elf so dylib docm xlsm pptm dotm xlam one chm".split()
)
DATA_EXTENSIONS = frozenset(
    {
        "xlsx",
        "xls",
        "docx",
        "doc",
        "pptx",
        "ppt",
        "csv",
        "txt",
        "dwg",
        "dxf",
        "jpg",
        "jpeg",
        "png",
        "msg",
        "pst",
        "eml",
        "vsdx",
        "mpp",
        "accdb",
        "mdb",
        "bak",
        "log",
    }
)
# Folders that hold a person's own documents (not where malware drops its files).
DATA_FOLDER_RE = re.compile(
    r"(?i)[\\/](?:users|home)[\\/][^\\/]{1,256}[\\/](?:documents|desktop|pictures|videos|"
    r"music|onedrive[^\\/]{0,64}|my documents|ドキュメント|デスクトップ)(?:[\\/]|$)"
)


def transform_sco(o: dict[str, Any], oid: str, ctx: Context) -> bool:
    """Apply an SCO's channel rules in place; False when the object only named the victim."""
    stix_type, rec, pol = o["type"], ctx.recorder, ctx.policy
    value = o.get("value")
    if isinstance(value, str) and ctx.redactor.keeps(value):
        return True
    if stix_type in ("ipv4-addr", "ipv6-addr") and isinstance(value, str):
        if is_victim_ip(value, ()) or is_victim_ip(value, ctx.profile.ip_ranges):
            rule = "private-ip" if is_victim_ip(value, ()) else "member-ip"
            rec.add(oid, "value", rule, value, None)
            return False
    elif stix_type == "domain-name" and isinstance(value, str):
        if host_is_victim(value, ctx) or ctx.redactor.find(value):
            rec.add(oid, "value", "member-domain", value, None)
            return False
        _flag_lookalike(oid, value, ctx)
    elif stix_type == "url" and isinstance(value, str):
        host = url_host(value)
        if (host and host_is_victim(host, ctx)) or (not host and ctx.redactor.find(value)):
            rec.add(oid, "value", "member-url", host or value, None)
            return False
        if host:
            _flag_lookalike(oid, host, ctx)
        params = ParameterRedactor(victim_rule(ctx))
        o["value"] = params.url("value", value)
        _record_parameters(params, oid, ctx)
    elif stix_type == "network-traffic":
        _http_request(o, oid, ctx)
    elif stix_type == "directory" and isinstance(o.get("path"), str):
        if victim_folder(o["path"], ctx):
            rec.add(oid, "path", "victim-file", o["path"], None)
            return False
    elif stix_type == "file" and oid in ctx.victim_files:
        rec.add(oid, "name", "victim-file", str(o.get("name", "file")), None)
        return False
    elif stix_type == "email-addr" and isinstance(value, str):
        dom = email_domain(value)
        if (dom and host_is_victim(dom, ctx)) or ctx.redactor.find(value):
            rec.add(oid, "value", "email", value, None)
            return False
        if dom:
            _flag_lookalike(oid, dom, ctx)
    elif stix_type == "mac-addr" or stix_type == "autonomous-system":
        return True
    elif stix_type == "user-account":
        return _user_account(o, oid, ctx)
    elif stix_type == "email-message":
        email_message(o, oid, ctx)
    elif stix_type == "process":
        _process(o, oid, ctx)
    elif stix_type == "x509-certificate":
        for prop in CERT_NAMES:
            if isinstance(o.get(prop), str) and ctx.redactor.find(o[prop]):
                rec.add(oid, prop, "member-certificate", o[prop], None)
                return False
    elif stix_type == "artifact" and pol.artifacts_payload == "drop":
        for prop in ("payload_bin", "url"):
            if prop in o:
                del o[prop]
                rec.add(oid, prop, "artifact-payload", prop, None, masked=True)
        if "hashes" not in o:
            rec.add(oid, "", "artifact-payload", "artifact", None, masked=True)
            return False
        if "payload_bin" not in o and "url" not in o:
            # An artifact needs its content; a file carrying the same hashes stays a valid
            # body_raw_ref target and keeps the hashes shareable.
            for prop in [
                k
                for k in o
                if k
                not in (
                    "type",
                    "id",
                    "spec_version",
                    "hashes",
                    "mime_type",
                    "object_marking_refs",
                    "granular_markings",
                    "defanged",
                )
            ]:
                del o[prop]
            o["type"] = "file"
            rec.add(oid, "type", "artifact-payload", "artifact", "file", masked=True)
    return True


# PowerShell's -EncodedCommand (any unambiguous prefix of it, -e to -encodedcommand) and
# its argument: base64 of UTF-16LE text, read by a reader as plainly as the command line.
ENCODED_ARG = re.compile(
    r"(?<![\w\-])([-/][Ee][A-Za-z]{0,13}+)([ \t]++)([A-Za-z0-9+/]{8,}+={0,2})(?![A-Za-z0-9+/=])"
)


def _encoded_commands(oid: str, line: str, ctx: Context) -> str:
    """line with each encoded PowerShell command decoded, redacted like the command line
    itself and encoded again, so it still runs and names nothing of the victim."""
    if "e" not in line.lower() or len(line) > 1_000_000:
        return line

    def fix(m: re.Match[str]) -> str:
        flag = m.group(1)[1:].lower()
        if flag != "ec" and not "encodedcommand".startswith(flag):
            return m.group()
        try:
            script = base64.b64decode(m.group(3), validate=True).decode("utf-16-le")
        except (ValueError, UnicodeDecodeError):
            return m.group()
        new, changes = command_line(script, ctx)
        for before, arg_token in changes:
            ctx.recorder.add(oid, "command_line<encoded>", "command-line", before, arg_token)
        new = ctx.redact_text(oid, "command_line<encoded>", new)
        if new == script:
            return m.group()
        encoded = base64.b64encode(new.encode("utf-16-le")).decode("ascii")
        return m.group(1) + m.group(2) + encoded

    return ENCODED_ARG.sub(fix, line)


def _flag_lookalike(oid: str, host: str, ctx: Context) -> None:
    """An attacker's domain that imitates a member's name is kept as the attacker's
    indicator, but the operator is asked to confirm it is not the member's own."""
    if ctx.redactor.name_alike(host):
        ctx.recorder.add(oid, "value", "lookalike-domain", host, "flagged")


def _user_account(o: dict[str, Any], oid: str, ctx: Context) -> bool:
    if oid in ctx.attacker_accounts:
        ctx.recorder.add(
            oid, "", "attacker-account", o.get("account_login") or o.get("user_id"), "kept"
        )
        return True
    if ctx.policy.user_accounts == "drop":
        ctx.recorder.add(oid, "", "user-account", o.get("account_login") or o.get("user_id"), None)
        return False
    for prop in ACCOUNT_PERSONAL:
        if prop in o:
            ctx.recorder.add(oid, prop, "user-account", str(o.pop(prop)), None)
    return True


def _process(o: dict[str, Any], oid: str, ctx: Context) -> None:
    rec = ctx.recorder
    if ctx.policy.process_details == "drop":
        for prop in ("command_line", "cwd", "environment_variables"):
            if prop in o:
                del o[prop]
                rec.add(oid, prop, "process-detail", prop, None, masked=True)
        return
    line = o.get("command_line")
    if isinstance(line, str):
        new, changes = command_line(line, ctx)
        for before, arg_token in changes:
            rec.add(oid, "command_line", "command-line", before, arg_token)
        o["command_line"] = _encoded_commands(oid, new, ctx)
    env = o.get("environment_variables")
    if isinstance(env, dict):
        for key in list(env):
            token = IDENTIFYING_ENV.get(str(key).lower())
            if token and env[key] != token:
                rec.add(oid, f"environment_variables.{key}", "process-detail", str(env[key]), token)
                env[key] = token


def victim_rule(ctx: Context) -> Callable[[str], str | None]:
    """text -> the rule of its first victim finding (registry or learned people), or None."""

    def rule(text: str) -> str | None:
        hits = ctx.redactor.find(text)
        if hits:
            return hits[0].rule
        found = ctx.people.find(text) if ctx.people is not None else []
        return found[0].rule if found else None

    return rule


def _record_parameters(params: ParameterRedactor, oid: str, ctx: Context) -> None:
    for where, before, token in params.changes:
        ctx.recorder.add(oid, where, "victim-parameter", before, token)


def _http_request(o: dict[str, Any], oid: str, ctx: Context) -> None:
    ext = (o.get("extensions") or {}).get("http-request-ext")
    if not isinstance(ext, dict):
        return
    params = ParameterRedactor(victim_rule(ctx))
    base = "extensions.http-request-ext"
    if isinstance(ext.get("request_value"), str):
        ext["request_value"] = params.url(f"{base}.request_value", ext["request_value"])
    headers = ext.get("request_header")
    if isinstance(headers, dict):
        for name, value in headers.items():
            if isinstance(value, str):
                headers[name] = params.header(f"{base}.request_header.{name}", name, value)
    _record_parameters(params, oid, ctx)


def victim_folder(path: str, ctx: Context) -> bool:
    """A folder the victim side owns: a share on an internal host, a person's documents."""
    for m in UNC_RE.finditer(path):
        host = m.group(1)
        public = (parse_ip(host) is not None and not is_victim_ip(host, ())) or (
            "." in host and not domain_matches(host, ctx.redactor.domains)
        )
        if not public:
            return True
    return DATA_FOLDER_RE.search(path) is not None


def _attacker_files(objects: Sequence[Mapping[str, Any]]) -> set[str]:
    """Files the report ties to the attacker: samples, related, attached, or in a pattern."""
    linked: set[str] = set()
    patterns = " ".join(str(o.get("pattern", "")) for o in objects if o.get("type") == "indicator")
    for o in objects:
        linked.update(r for r in o.get("sample_refs", ()) if isinstance(r, str))
        if isinstance(o.get("sample_ref"), str):
            linked.add(o["sample_ref"])
        if o.get("type") == "relationship":
            linked.update((str(o.get("source_ref")), str(o.get("target_ref"))))
        for part in o.get("body_multipart", ()) if o.get("type") == "email-message" else ():
            if isinstance(part, dict) and isinstance(part.get("body_raw_ref"), str):
                linked.add(part["body_raw_ref"])
        hashes = o.get("hashes") if o.get("type") == "file" else None
        if isinstance(hashes, dict) and any(
            isinstance(h, str) and len(h) >= 32 and h.lower() in patterns.lower()
            for h in hashes.values()
        ):
            linked.add(str(o["id"]))
    return linked


def victim_files(objects: Sequence[Mapping[str, Any]], ctx: Context) -> set[str]:
    """Files of the victim's own data the report does not tie to the attacker: in a victim
    folder, or a document named after a member (a lure the attacker named so is a sample,
    an attachment or an executable type, and stays with its name redacted)."""
    folders = {
        str(o["id"])
        for o in objects
        if o.get("type") == "directory"
        and isinstance(o.get("path"), str)
        and victim_folder(o["path"], ctx)
    }
    files = [o for o in objects if o.get("type") == "file"]
    if not files:
        return set()
    linked = _attacker_files(objects)
    out = set()
    for o in files:
        fid, name = str(o["id"]), str(o.get("name", ""))
        if fid in linked:
            continue
        # A payload run from a person's folder (an .exe on the Desktop) is the attacker's.
        payload = name.rsplit(".", 1)[-1].lower() in PAYLOAD_EXTENSIONS if "." in name else False
        in_folder = o.get("parent_directory_ref") in folders and not payload
        ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        document = not o.get("hashes") or ext in DATA_EXTENSIONS
        if in_folder or (document and "." in name and ctx.mentions_victim(name)):
            out.add(fid)
        elif not o.get("hashes") and _own_document(name, ext):
            # A document or archive the report names without a hash is no sample anyone can
            # match: it is the member's own data that was opened, packed or taken.
            out.add(fid)
    return out


def _own_document(name: str, ext: str) -> bool:
    stem = name.rsplit(".", 1)[0]
    if ext in DATA_EXTENSIONS:
        return True
    return ext in ARCHIVE_EXTENSIONS and not opaque_name(stem)


ARCHIVE_EXTENSIONS = frozenset("zip rar 7z tar tgz gz cab lzh bz2 xz".split())


def attacker_accounts(objects: Sequence[Mapping[str, Any]], ctx: Context) -> set[str]:
    """user-account objects the report attributes to the attacker, none naming a member.

    Attributed: named in an indicator's STIX pattern, related to an attacker object, or
    listed in an observed-data that is related to one.
    """
    accounts = {str(o["id"]): o for o in objects if o.get("type") == "user-account"}
    if not accounts:
        return set()
    types = {str(o.get("id")): str(o.get("type")) for o in objects}
    patterns = [
        str(o["pattern"])
        for o in objects
        if o.get("type") == "indicator"
        and o.get("pattern_type") == "stix"
        and isinstance(o.get("pattern"), str)
    ]
    related: set[str] = set()
    infrastructure: set[str] = set()  # observables that make up attacker infrastructure
    for o in objects:
        if o.get("type") == "relationship":
            s, t = str(o.get("source_ref")), str(o.get("target_ref"))
            if types.get(t) in ATTACKER_TYPES:
                related.add(s)
            if types.get(s) in ATTACKER_TYPES:
                related.add(t)
            if types.get(s) == "infrastructure":
                infrastructure.add(t)
            if types.get(t) == "infrastructure":
                infrastructure.add(s)
    for o in objects:
        if o.get("type") != "observed-data":
            continue
        refs = [r for r in o.get("object_refs", ()) if isinstance(r, str)]
        # Related to an attacker object, or observed together with its infrastructure.
        if str(o["id"]) in related or infrastructure.intersection(refs):
            related.update(refs)
    rule = victim_rule(ctx)
    found = set()
    for aid, acc in accounts.items():
        names = [str(acc[k]) for k in ("account_login", "user_id", "display_name") if k in acc]
        if any(rule(n) for n in names) or any(
            rule(str(v)) for v in acc.values() if isinstance(v, str) and v != aid
        ):
            continue
        quoted = [f"'{n}'" for n in names if n]
        if aid in related or any(q in p for p in patterns for q in quoted):
            found.add(aid)
    return found


def only_victim(o: Mapping[str, Any], contributing: Sequence[str]) -> bool:
    """The id-contributing text of an SCO is nothing but redaction tokens and punctuation."""
    texts = [o[k] for k in contributing if k in o and not k.endswith("_ref")]
    if not texts or not all(isinstance(t, str) for t in texts):
        return False
    return not any(ch.isalnum() for t in texts for ch in TOKEN_RE.sub("", t.lower()))
