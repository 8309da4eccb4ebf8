"""The village meeting's rule (QĐ 24/2021/QĐ-TTg, the review procedure; poverty-review.md §3.5 [C]).

The states and steps of a form's life are in `server.submissions.lifecycle`.
"""

from __future__ import annotations

from fractions import Fraction

# A household is agreed with at least half the attendees in favour, otherwise it is re-surveyed.
MEETING_MIN_AGREEMENT = Fraction(1, 2)


def meeting_outcome(votes_for: int, attendees: int) -> str:
    """'agree' when at least half the attendees voted for the household's result, else 'resurvey'."""
    return "agree" if Fraction(votes_for, attendees) >= MEETING_MIN_AGREEMENT else "resurvey"
