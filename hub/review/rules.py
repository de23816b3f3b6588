"""Every rule a stored change report can name, in plain words: the sanitizer's own
(`hub.sanitize.rules.RULE_EXPLANATIONS`) and the operator's, for the console, the member's
consent page and the REST views."""

from __future__ import annotations

from hub.sanitize.rules import RULE_EXPLANATIONS

# Rules the review adds to a report, beside the sanitizer's.
REVIEW_EXPLANATIONS: dict[str, str] = {
    "operator-drop": "A hub operator removed this object before publication.",
}


def explain(rule: str) -> str:
    """The plain-words explanation of rule; an unknown rule is named, never hidden."""
    text = REVIEW_EXPLANATIONS.get(rule) or RULE_EXPLANATIONS.get(rule)
    return text or f"Changed by the rule '{rule}'."
