"""Plain-language explanations of the sanitizer's rules, for operators and submitters."""

from __future__ import annotations

EXPLANATIONS = {
    "provenance": "Who made it: your organisation is replaced by the hub's identity.",
    "member-identity": "Your organisation's identity object is not shared.",
    "member-name": "A name or alias of your organisation was removed.",
    "member-domain": "A domain registered to your organisation was removed.",
    "member-url": "A URL on your organisation's domains was removed.",
    "member-ip": "An address in your organisation's registered ranges was removed.",
    "member-certificate": "A certificate issued to your organisation was removed.",
    "member-message-id": "A message id generated inside your organisation was removed.",
    "private-ip": "An internal (non-global) IP address was removed.",
    "hostname": "An internal host name was removed.",
    "email": "A person's e-mail address was removed.",
    "victim-recipient": "An internal recipient of the e-mail was removed.",
    "internal-hop": "An internal mail relay was removed from the received lines.",
    "email-header": "An e-mail header that identifies the recipient was removed.",
    "user-path": "A user name inside a file path was removed.",
    "user-account": "A user account of your organisation was removed.",
    "ad-account": "An Active Directory domain and user were removed.",
    "windows-sid": "A Windows security identifier was removed.",
    "process-detail": "A command line, working directory or environment was removed.",
    "phone": "A phone number was removed.",
    "person": "A person's name was removed.",
    "term": "A registered sensitive term (project or system name) was removed.",
    "free-text": "Free text naming your organisation or people was redacted.",
    "artifact-payload": "The captured file content is not shared.",
    "custom-property": "A custom (x_) property is not shared.",
    "custom-object": "A custom object type is not shared.",
    "extension-definition": "An unknown extension is not shared.",
    "external-reference": "A reference to a non-public source is not shared.",
    "where-sighted": "Where it was sighted is shown at sector level only.",
    "rewrite-to-sector": "Your organisation is replaced by your sector.",
    "location-precision": "A precise location was coarsened.",
    "timestamp": "An exact detection time was coarsened.",
    "remint-id": "The object gets a new hub id, so its old id cannot identify you.",
    "dropped-reference": "A reference to an object that is not shared was removed.",
    "dangling-object": "An object left with nothing to describe was dropped.",
    "pattern-emptied": "Every value of the pattern was sensitive, so the indicator was dropped.",
    "invalid-pattern": "The pattern could not be read, so it was not shared.",
    "operator-drop": "A hub operator removed this object.",
}


def explain(rule: str) -> str:
    """A sentence for the rule, or the rule's name when it has none yet."""
    return EXPLANATIONS.get(rule, f"Changed by the sanitizer rule “{rule}”.")
