"""Victim channels of cyber-observable objects: addresses, mail, accounts, processes, files."""

from __future__ import annotations

from typing import Any

from hub.sanitize.context import Context
from hub.sanitize.mail import email_message
from hub.sanitize.values import (
    domain_matches,
    email_domain,
    hostname_matches,
    is_victim_ip,
    url_host,
)

# Environment variables whose values name the user, the machine or the domain.
IDENTIFYING_ENV = {
    "username": "[REDACTED:username]", "user": "[REDACTED:username]",
    "logname": "[REDACTED:username]", "userprofile": "[REDACTED:username]",
    "home": "[REDACTED:username]", "homepath": "[REDACTED:username]",
    "computername": "[REDACTED:hostname]", "hostname": "[REDACTED:hostname]",
    "logonserver": "[REDACTED:hostname]", "userdomain": "[REDACTED:domain]",
    "userdnsdomain": "[REDACTED:domain]", "userdomain_roamingprofile": "[REDACTED:domain]",
    "onedrive": "[REDACTED:username]", "appdata": "[REDACTED:username]",
    "localappdata": "[REDACTED:username]", "temp": "[REDACTED:username]",
    "tmp": "[REDACTED:username]", "mail": "[REDACTED:email]",
}
ACCOUNT_PERSONAL = ("user_id", "account_login", "display_name", "credential")
CERT_NAMES = ("subject", "issuer")


def _host_is_victim(host: str, ctx: Context) -> bool:
    p = ctx.profile
    return (domain_matches(host, ctx.redactor.domains)
            or hostname_matches(host, p.hostname_patterns)
            or is_victim_ip(host, p.ip_ranges))


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
        if _host_is_victim(value, ctx) or ctx.redactor.find(value):
            rec.add(oid, "value", "member-domain", value, None)
            return False
    elif stix_type == "url" and isinstance(value, str):
        host = url_host(value)
        if (host and _host_is_victim(host, ctx)) or (not host and ctx.redactor.find(value)):
            rec.add(oid, "value", "member-url", host or value, None)
            return False
    elif stix_type == "email-addr" and isinstance(value, str):
        dom = email_domain(value)
        if (dom and _host_is_victim(dom, ctx)) or ctx.redactor.find(value):
            rec.add(oid, "value", "email", value, None)
            return False
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
            for prop in [k for k in o if k not in ("type", "id", "spec_version", "hashes",
                                                   "mime_type", "object_marking_refs",
                                                   "granular_markings", "defanged")]:
                del o[prop]
            o["type"] = "file"
            rec.add(oid, "type", "artifact-payload", "artifact", "file", masked=True)
    return True


def _user_account(o: dict[str, Any], oid: str, ctx: Context) -> bool:
    if ctx.policy.user_accounts == "drop":
        ctx.recorder.add(oid, "", "user-account", o.get("account_login") or o.get("user_id"),
                         None)
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
    env = o.get("environment_variables")
    if isinstance(env, dict):
        for key in list(env):
            token = IDENTIFYING_ENV.get(str(key).lower())
            if token and env[key] != token:
                rec.add(oid, f"environment_variables.{key}", "process-detail", str(env[key]),
                        token)
                env[key] = token
