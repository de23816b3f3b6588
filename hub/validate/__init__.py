"""Fast STIX 2.1 validation for intake: per-object problems that agree with the references."""

from hub.validate.errors import Problem
from hub.validate.objects import check_envelope, check_object, object_label
from hub.validate.patterns import check_pattern

__all__ = ["Problem", "check_envelope", "check_object", "check_pattern", "object_label"]
