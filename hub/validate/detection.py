"""YARA and Sigma indicator patterns: parsed, and held to the bounds, like STIX patterns."""

from __future__ import annotations

from hub.sanitize.detection import DetectionError
from hub.sanitize.detection.sigmaparse import check as check_sigma_docs
from hub.sanitize.detection.sigmaparse import load as load_sigma
from hub.sanitize.detection.yaraparse import parse as parse_yara

DETECTION_TYPES = frozenset({"yara", "sigma"})


def check_detection(pattern_type: str, pattern: str) -> str | None:
    """Why a yara or sigma pattern is refused (unparseable or past a bound), or None."""
    try:
        if pattern_type == "yara":
            parse_yara(pattern)
        elif pattern_type == "sigma":
            check_sigma_docs(load_sigma(pattern))
    except DetectionError as exc:
        return str(exc)
    return None
