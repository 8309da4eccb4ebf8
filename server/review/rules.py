"""The review procedure as data: which step may follow which state (QĐ 24/2021/QĐ-TTg; poverty-review.md §3.5).

    draft (phone) → submitted → returned ⇄ resubmitted → approved → agreed (or resurvey) → recognised

A new version (a correction naming the version it supersedes) is not an action here: the sync API accepts it
while the form is still with the commune (`CORRECTABLE`), and it moves the form to `resubmitted`.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

# Village meeting: a household is agreed with at least half the attendees in favour, otherwise it is re-surveyed
# (QĐ 24/2021/QĐ-TTg, the review procedure; poverty-review.md §3.5 [C]).
MEETING_MIN_AGREEMENT = Fraction(1, 2)


@dataclass(frozen=True)
class Action:
    """A supervisor's step: the states it may be taken from, the state it leads to, the forms it applies to."""

    name: str
    from_states: frozenset
    to_state: str
    kinds: frozenset = frozenset({"household"})
    needs_comment: bool = False


ACTIONS = {a.name: a for a in (
    Action("return", frozenset({"submitted", "resubmitted"}), "returned",
           kinds=frozenset({"household", "village"}), needs_comment=True),
    Action("approve", frozenset({"submitted", "resubmitted"}), "approved", kinds=frozenset({"household", "village"})),
    Action("agree", frozenset({"approved"}), "agreed"),
    Action("resurvey", frozenset({"approved"}), "resurvey", needs_comment=True),
    Action("recognise", frozenset({"agreed"}), "recognised"),
)}

# States in which the enumerator may send a corrected version (the form is not yet approved).
CORRECTABLE = frozenset({"submitted", "resubmitted", "returned", "resurvey"})
# States in which the phone should show the form as waiting for the enumerator.
WITH_ENUMERATOR = frozenset({"returned", "resurvey"})
# States whose class counts as the review's result (the indicators aggregate these).
SETTLED = frozenset({"approved", "agreed", "recognised"})


def allowed_actions(state: str, kind: str = "household") -> list[str]:
    """The actions a supervisor may take on a form in `state`, in procedure order."""
    return [a.name for a in ACTIONS.values() if state in a.from_states and kind in a.kinds]


def meeting_outcome(votes_for: int, attendees: int) -> str:
    """'agree' when at least half the attendees voted for the household's result, else 'resurvey'."""
    return "agree" if Fraction(votes_for, attendees) >= MEETING_MIN_AGREEMENT else "resurvey"


def state_after_correction(state: str) -> str:
    """The state a form moves to when a corrected version arrives."""
    return "submitted" if state == "submitted" else "resubmitted"


# What people read for each state and action (Vietnamese first), also used in coded problems.
STATE_LABELS = {
    "submitted": ("Đã gửi", "Submitted"),
    "returned": ("Trả lại để sửa", "Returned for correction"),
    "resubmitted": ("Đã gửi lại", "Resubmitted"),
    "approved": ("Xã đã duyệt", "Approved by the commune"),
    "agreed": ("Họp dân đã thống nhất", "Agreed at the village meeting"),
    "resurvey": ("Họp dân yêu cầu rà soát lại", "Sent back for re-survey by the village meeting"),
    "recognised": ("Đã công nhận theo quyết định của xã", "Recognised by the commune decision"),
}
ACTION_LABELS = {
    "return": ("Trả lại để sửa", "Return for correction"),
    "approve": ("Duyệt", "Approve"),
    "agree": ("Họp dân thống nhất", "Agreed at the village meeting"),
    "resurvey": ("Họp dân yêu cầu rà soát lại", "Send back for re-survey"),
    "recognise": ("Công nhận theo quyết định", "Recognise by decision"),
    "comment": ("Góp ý", "Comment"),
    "submitted": ("Gửi phiếu", "Submitted"),
    "resubmitted": ("Gửi bản sửa", "Sent a corrected version"),
    "reclassified": ("Phân loại lại theo bộ quy tắc", "Re-classified under the rule set"),
}
