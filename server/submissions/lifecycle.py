"""A form's life as data: its states, which step may follow which state, and what people read for each.

    draft (phone) → submitted → returned ⇄ resubmitted → approved → agreed (or resurvey) → recognised

The review procedure of QĐ 24/2021/QĐ-TTg (poverty-review.md §3.5). Ingest (a new version) and review (a
supervisor's step) both move a form along these states; the history of each move is in `history.py`. A new
version (a correction naming the version it supersedes) is not an action here: the sync API accepts it while the
form is still with the commune (`CORRECTABLE`), and it moves the form to `resubmitted`.
"""

from __future__ import annotations

from dataclasses import dataclass

KINDS = ("household", "village")
STATES = ("submitted", "returned", "resubmitted", "approved", "agreed", "resurvey", "recognised")


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


# Setting a form aside as a duplicate of another form of the same household is not a state: the form keeps its
# state (a restore brings it back as it was), takes no other step while set aside, and counts nowhere (queue
# counts, meeting and decision lists, anything that aggregates). A form agreed at a meeting or recognised by a
# decision is past that point: the meeting's minutes and the decision name it.
SET_ASIDE_FROM = frozenset({"submitted", "returned", "resubmitted", "approved", "resurvey"})
SET_ASIDE_LABEL = ("Đã gác lại: trùng với phiếu khác", "Set aside: a duplicate of another form")


def allowed_actions(state: str, kind: str = "household", *, set_aside: bool = False) -> list[str]:
    """The actions a supervisor may take on a form in `state`, in procedure order (set aside: only a restore)."""
    if set_aside:
        return ["restore"]
    out = [a.name for a in ACTIONS.values() if state in a.from_states and kind in a.kinds]
    return out + (["set_aside"] if may_set_aside(state, kind) else [])


def may_set_aside(state: str, kind: str = "household") -> bool:
    """Whether a form in `state` may be set aside as a duplicate (household forms before the meeting agrees)."""
    return kind == "household" and state in SET_ASIDE_FROM


def may_correct(state: str, *, set_aside: bool = False) -> bool:
    """Whether the enumerator may send a corrected version now (not once approved, nor while set aside)."""
    return state in CORRECTABLE and not set_aside


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
    "set_aside": ("Gác lại vì trùng phiếu", "Set aside as a duplicate"),
    "restore": ("Khôi phục phiếu đã gác lại", "Restore the set-aside form"),
}
