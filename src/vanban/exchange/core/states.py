"""The state machine of one delivery over the edXML status codes (vn-standards §1.6).

Pure Python: no Django import. A delivery starts ``sent`` (the hub accepted it), becomes ``01``
when it is stored in the recipient's inbox, then ``02`` (rejected) or ``03`` (accepted and
registered), ``04`` assigned, ``05`` processing, ``06`` completed. The sender may ask to recall
(``13``); the recipient agrees (``15``, ``14`` accepted on input as its alias) or refuses
(``16``, the delivery goes back to where it was). A revocation (business type 1) withdraws the
recipient's copy whatever its state.

Statuses from another installation may arrive late or twice (retries): :func:`advance` treats a
code that does not move the delivery forward as already applied (``changed`` False) instead of an
error, and lets a later code imply the earlier ones it skipped (``03`` before the ``01``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class State(StrEnum):
    """Where a delivery is. Values are stored in the database; never rename one."""

    SENT = "sent"
    ARRIVED = "01"
    REJECTED = "02"
    ACCEPTED = "03"
    ASSIGNED = "04"
    PROCESSING = "05"
    COMPLETED = "06"
    RECALL_REQUESTED = "13"
    RECALLED = "15"
    WITHDRAWN = "withdrawn"


class Code(StrEnum):
    """The edXML status codes this hub sends (07–12 and 14 are never sent)."""

    ARRIVED = "01"
    REJECTED = "02"
    ACCEPTED = "03"
    ASSIGNED = "04"
    PROCESSING = "05"
    COMPLETED = "06"
    RECALL_REQUESTED = "13"
    RECALL_AGREED = "15"
    RECALL_REFUSED = "16"


STATE_LABELS: dict[State, tuple[str, str]] = {
    State.SENT: ("Đã gửi", "Sent"),
    State.ARRIVED: ("Đã đến", "Arrived"),
    State.REJECTED: ("Từ chối tiếp nhận", "Rejected"),
    State.ACCEPTED: ("Đã tiếp nhận", "Accepted"),
    State.ASSIGNED: ("Đã phân công xử lý", "Assigned"),
    State.PROCESSING: ("Đang xử lý", "Processing"),
    State.COMPLETED: ("Hoàn thành", "Completed"),
    State.RECALL_REQUESTED: ("Đề nghị lấy lại", "Recall requested"),
    State.RECALLED: ("Đã đồng ý lấy lại", "Recalled"),
    State.WITHDRAWN: ("Đã thu hồi", "Withdrawn"),
}

# The forward path of a delivery; 02 is a dead end beside 03.
_RANK: dict[State, int] = {
    State.SENT: 0, State.ARRIVED: 1, State.REJECTED: 2, State.ACCEPTED: 2,
    State.ASSIGNED: 3, State.PROCESSING: 4, State.COMPLETED: 5,
}
_FORWARD: dict[Code, State] = {
    Code.ARRIVED: State.ARRIVED, Code.REJECTED: State.REJECTED, Code.ACCEPTED: State.ACCEPTED,
    Code.ASSIGNED: State.ASSIGNED, Code.PROCESSING: State.PROCESSING,
    Code.COMPLETED: State.COMPLETED,
}
# Where each forward code may be applied from (the local services are strict).
_ALLOWED_FROM: dict[Code, frozenset[State]] = {
    Code.ARRIVED: frozenset({State.SENT}),
    Code.REJECTED: frozenset({State.ARRIVED}),
    Code.ACCEPTED: frozenset({State.ARRIVED}),
    Code.ASSIGNED: frozenset({State.ACCEPTED, State.PROCESSING}),
    Code.PROCESSING: frozenset({State.ACCEPTED, State.ASSIGNED}),
    Code.COMPLETED: frozenset({State.ACCEPTED, State.ASSIGNED, State.PROCESSING}),
}
RECALLABLE = frozenset({State.SENT, State.ARRIVED, State.ACCEPTED, State.ASSIGNED,
                        State.PROCESSING})
TERMINAL = frozenset({State.REJECTED, State.RECALLED, State.WITHDRAWN})


class InvalidTransition(ValueError):
    """The code cannot be applied in the delivery's state."""

    def __init__(self, state: State, code: str) -> None:
        super().__init__(f"status {code} not allowed in state {state}")
        self.state = state
        self.code = code


@dataclass(frozen=True)
class Step:
    """The result of applying a code: the new state, whether anything changed, the state to go
    back to if a recall is refused, and the codes implied on the way (``01`` before ``03``)."""

    state: State
    changed: bool
    before_recall: State | None = None
    implied: tuple[Code, ...] = ()


def normalise_code(code: str) -> Code:
    """``14`` is read as ``15`` (a sample's bug, vn-standards §1.6); unknown codes raise."""
    value = code.strip().zfill(2)
    if value == "14":
        value = "15"
    try:
        return Code(value)
    except ValueError:
        raise InvalidTransition(State.SENT, code) from None


def apply(state: State, code: Code, *, before_recall: State | None = None) -> Step:
    """Apply a code strictly (local services): anything out of order is an error."""
    if state is State.WITHDRAWN or state is State.RECALLED:
        raise InvalidTransition(state, code)
    if code is Code.RECALL_REQUESTED:
        if state not in RECALLABLE:
            raise InvalidTransition(state, code)
        return Step(State.RECALL_REQUESTED, True, before_recall=state)
    if code in (Code.RECALL_AGREED, Code.RECALL_REFUSED):
        if state is not State.RECALL_REQUESTED or before_recall is None:
            raise InvalidTransition(state, code)
        if code is Code.RECALL_AGREED:
            return Step(State.RECALLED, True)
        return Step(before_recall, True)
    target = _FORWARD[code]
    if state not in _ALLOWED_FROM[code]:
        raise InvalidTransition(state, code)
    return Step(target, True, before_recall=before_recall)


def advance(state: State, code: Code, *, before_recall: State | None = None) -> Step:
    """Apply a code that came from another installation, tolerating late and repeated codes.

    A code already reached (or passed) is a no-op; a forward code may skip ahead (the skipped
    ``01`` is reported in ``implied``). Codes that would undo a final state still raise.
    """
    if code is Code.RECALL_REQUESTED and state is State.RECALL_REQUESTED:
        return Step(state, False, before_recall=before_recall)
    if code is Code.RECALL_AGREED and state is State.RECALLED:
        return Step(state, False)
    if code is Code.RECALL_REFUSED and state is not State.RECALL_REQUESTED:
        return Step(state, False, before_recall=before_recall)
    if code in _FORWARD:
        return _advance_forward(state, code, before_recall)
    return apply(state, code, before_recall=before_recall)


def _advance_forward(state: State, code: Code, before_recall: State | None) -> Step:
    target = _FORWARD[code]
    current = before_recall if state is State.RECALL_REQUESTED and before_recall else state
    if current not in _RANK:
        return Step(state, False, before_recall=before_recall)  # withdrawn/recalled: final
    if _RANK[target] <= _RANK[current]:
        if {target, current} == {State.ACCEPTED, State.REJECTED}:
            raise InvalidTransition(state, code)
        return Step(state, False, before_recall=before_recall)
    if current is State.REJECTED:
        raise InvalidTransition(state, code)
    implied = (Code.ARRIVED,) if current is State.SENT and target is not State.ARRIVED else ()
    if state is State.RECALL_REQUESTED:  # progress while the recall is pending
        return Step(state, True, before_recall=target, implied=implied)
    return Step(target, True, before_recall=before_recall, implied=implied)


def withdraw(state: State) -> Step:
    """Revocation (business type 1): the recipient's copy is withdrawn, whatever its state."""
    if state is State.WITHDRAWN:
        return Step(state, False)
    return Step(State.WITHDRAWN, True)


def label(state: str, language: str = "vi") -> str:
    """The state in words."""
    vi, en = STATE_LABELS[State(state)]
    return en if language.startswith("en") else vi
