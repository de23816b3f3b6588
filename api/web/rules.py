"""Plain-language explanations of the sanitizer's and the review's rules, for operators and
submitters (one table for the console, the consent page and the REST views)."""

from __future__ import annotations

from hub.review.rules import explain

__all__ = ["explain"]
