"""Detection content that is not a STIX pattern (YARA, Sigma): parsed, redacted, written back."""

from hub.sanitize.detection.common import (
    DetectionChange,
    DetectionError,
    Redact,
    Rewritten,
)
from hub.sanitize.detection.sigma import rewrite_sigma
from hub.sanitize.detection.yara import rewrite_yara

__all__ = [
    "DetectionChange",
    "DetectionError",
    "Redact",
    "Rewritten",
    "rewrite_sigma",
    "rewrite_yara",
]
