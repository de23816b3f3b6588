"""Validate one STIX 2.1 object, or a bundle/envelope's shape, without the reference libraries."""

from __future__ import annotations

from typing import Any

from hub.validate import common as c
from hub.validate import properties as p
from hub.validate.errors import Problem
from hub.validate.meta import META_SPECS
from hub.validate.sco import SCO_SPECS
from hub.validate.sdo import SDO_SPECS
from hub.validate.spec import SCO_COMMON, TypeSpec, domain, modified_after_created_any
from hub.validate.sro import SRO_SPECS

MAX_DEPTH = 32
MAX_STRING = 1 << 20  # bytes, UTF-8

SPECS: dict[str, TypeSpec] = {**SDO_SPECS, **SRO_SPECS, **SCO_SPECS, **META_SPECS}
# Unknown types: stix2.parse(allow_custom=True) passes them through and stix2-validator
# checks them against its core schema, SDO-style when they carry created/modified.
CUSTOM_DOMAIN = domain("sdo", {}, ())
CUSTOM_SCO = TypeSpec("sco", SCO_COMMON, (), (modified_after_created_any,))
_BOOKKEEPING = ("type", "id")


def object_label(obj: object, index: int | None = None) -> str:
    """How messages name an object: "indicator--… (indicator)" or "objects[3]"."""
    if isinstance(obj, dict):
        oid, otype = obj.get("id"), obj.get("type")
        if isinstance(oid, str) and isinstance(otype, str):
            return f"{oid} ({otype})"
        if isinstance(oid, str):
            return oid
    return f"objects[{index}]" if index is not None else "object"


def _limits(obj: Any) -> list[Problem]:
    """Refuse absurd input before looking at it: deep nesting, huge strings."""
    stack: list[tuple[Any, int]] = [(obj, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            return [Problem(None, f"nesting deeper than {MAX_DEPTH} levels")]
        if isinstance(node, dict):
            for k, v in node.items():
                if len(k) > MAX_STRING // 4 and len(k.encode()) > MAX_STRING:
                    return [Problem(None, "a property name longer than 1 MiB")]
                if isinstance(v, dict | list):
                    stack.append((v, depth + 1))
                elif (
                    isinstance(v, str) and len(v) > MAX_STRING // 4 and len(v.encode()) > MAX_STRING
                ):
                    return [Problem(k, "string longer than 1 MiB")]
        elif isinstance(node, list):
            for v in node:
                if isinstance(v, dict | list):
                    stack.append((v, depth + 1))
                elif (
                    isinstance(v, str) and len(v) > MAX_STRING // 4 and len(v.encode()) > MAX_STRING
                ):
                    return [Problem(None, "string longer than 1 MiB")]
    return []


def _check_type(otype: object) -> str | None:
    if not isinstance(otype, str):
        return "must be a string"
    if c.TYPE_RE.match(otype) is None or not 3 <= len(otype) <= 250:
        return (
            f"{otype!r} is not a valid type name (3-250 characters of a-z, 0-9 and single "
            "hyphens, starting with a letter)"
        )
    if otype == "bundle":
        return "a bundle is not a STIX object; post its objects"
    return None


def check_object(obj: object) -> list[Problem]:
    """Every reason ``obj`` is not a valid STIX 2.1 object; [] means valid."""
    try:
        return check_object_unguarded(obj)
    except RecursionError:
        # Every parser the checkers call is bounded first; this is the net under a new one.
        # One line, no traceback: the object is refused, the submission goes on.
        return [Problem(None, "could not be validated: nested too deeply")]
    except (TypeError, ValueError, KeyError, AttributeError, IndexError) as exc:
        # A checker tripped over input it did not expect: refuse the object, never the bundle.
        return [Problem(None, f"could not be validated ({type(exc).__name__}: {exc})")]


def check_object_unguarded(obj: object) -> list[Problem]:
    """check_object without the safety net, so tests see a checker's own failures."""
    if not isinstance(obj, dict):
        return [Problem(None, "must be a JSON object")]
    out = _limits(obj)
    if out:
        return out
    otype = obj.get("type")
    if "type" not in obj:
        return [Problem("type", "is required")]
    why = _check_type(otype)
    if why is not None:
        return [Problem("type", why)]
    spec = SPECS.get(otype) if isinstance(otype, str) else None
    if spec is None:
        spec = CUSTOM_DOMAIN if ("created" in obj or "modified" in obj) else CUSTOM_SCO

    oid = obj.get("id")
    if oid is None:
        out.append(Problem("id", "is required"))
    else:
        why = c.identifier_problem(oid)
        if why is not None:
            out.append(Problem("id", why))
        elif c.id_type(oid) != otype:
            out.append(Problem("id", f"must start with '{otype}--'"))

    for name in spec.required:
        if name not in obj:
            out.append(Problem(name, "is required"))

    props = spec.props
    for k, v in obj.items():
        if k in _BOOKKEEPING:
            continue
        check = props.get(k)
        if check is None:
            c.custom_property(k, v, k, out)
        elif v is None:
            out.append(Problem(k, "must not be null"))
        else:
            check(v, k, out)

    for rule in spec.constraints:
        rule(obj, out)
    if "granular_markings" in obj:
        p.check_selectors(obj, out)
    return out


def check_envelope(envelope: object) -> list[Problem]:
    """Shape of a posted bundle or TAXII envelope (not its objects): where the objects are."""
    if not isinstance(envelope, dict):
        return [Problem(None, "must be a JSON object")]
    out: list[Problem] = []
    if "type" in envelope or "id" in envelope:
        if envelope.get("type") != "bundle":
            out.append(Problem("type", "must be 'bundle'"))
        why = c.identifier_problem(envelope.get("id"))
        if why is not None:
            out.append(Problem("id", why))
        elif c.id_type(envelope["id"]) != "bundle":
            out.append(Problem("id", "must start with 'bundle--'"))
    objects = envelope.get("objects")
    if objects is None:
        out.append(Problem("objects", "is required"))
    elif not isinstance(objects, list):
        out.append(Problem("objects", "must be a list"))
    return out
