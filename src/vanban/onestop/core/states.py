"""The life of a one-stop dossier (onestop.md §5) as one transition table.

Pure Python: no Django import. Services ask :func:`next_state` before they change a dossier, so
no path outside the table exists; an illegal move raises :class:`IllegalMove` (a typed,
bilingual domain error). Some actions keep the state (a hand-over between steps, the leader's
approval, the apology letter): they are still transitions, each recorded as one event.

How often an action may happen (one intake supplement request, one Mẫu 04) is the dossier's
count, checked by the service; the table says only where an action may happen.
"""

from __future__ import annotations

from enum import StrEnum

from vanban.core.errors import Conflict


class State(StrEnum):
    """Where a dossier is. Values are stored in the database; never rename one."""

    SUBMITTED = "submitted"
    INTAKE_SUPPLEMENT = "intake_supplement"
    REFUSED = "refused"
    ACCEPTED = "accepted"
    PROCESSING = "processing"
    SUPPLEMENT_REQUESTED = "supplement_requested"
    FEE_DUE = "fee_due"
    RESULT_READY = "result_ready"
    REFUSED_AFTER_APPRAISAL = "refused_after_appraisal"
    RETURNED = "returned"
    WITHDRAWAL_REQUESTED = "withdrawal_requested"
    STOPPED = "stopped"
    CLOSED_NO_SUPPLEMENT = "closed_no_supplement"
    TRANSFERRED = "transferred"


class Action(StrEnum):
    """What may happen to a dossier. Values are stored in the event history."""

    REQUEST_INTAKE_SUPPLEMENT = "request_intake_supplement"
    INTAKE_SUPPLEMENT_RECEIVED = "intake_supplement_received"
    REFUSE = "refuse"
    ACCEPT = "accept"
    TRANSFER = "transfer"
    HAND_OVER = "hand_over"
    REQUEST_SUPPLEMENT = "request_supplement"
    SUPPLEMENT_RECEIVED = "supplement_received"
    CLOSE_NO_SUPPLEMENT = "close_no_supplement"
    REQUEST_FEE = "request_fee"
    FEE_PAID = "fee_paid"
    APPROVE = "approve"
    RESULT_READY = "result_ready"
    REFUSE_AFTER_APPRAISAL = "refuse_after_appraisal"
    RETURN_RESULT = "return_result"
    EXTEND = "extend"
    REQUEST_WITHDRAWAL = "request_withdrawal"
    STOP = "stop"
    SEND_TO_AGENCY = "send_to_agency"
    TAKEN_BY_AGENCY = "taken_by_agency"


STATE_LABELS: dict[State, tuple[str, str]] = {
    State.SUBMITTED: ("Mới nộp, chờ kiểm tra", "Submitted, awaiting check"),
    State.INTAKE_SUPPLEMENT: ("Chờ bổ sung khi tiếp nhận", "Awaiting supplement at intake"),
    State.REFUSED: ("Từ chối tiếp nhận", "Refused at intake"),
    State.ACCEPTED: ("Đã tiếp nhận", "Accepted"),
    State.PROCESSING: ("Đang xử lý", "Processing"),
    State.SUPPLEMENT_REQUESTED: ("Chờ bổ sung sau thẩm định", "Awaiting supplement"),
    State.FEE_DUE: ("Chờ thực hiện nghĩa vụ tài chính", "Awaiting fees"),
    State.RESULT_READY: ("Đã có kết quả", "Result ready"),
    State.REFUSED_AFTER_APPRAISAL: ("Từ chối giải quyết", "Refused after appraisal"),
    State.RETURNED: ("Đã trả kết quả", "Result returned"),
    State.WITHDRAWAL_REQUESTED: ("Công dân xin rút hồ sơ", "Withdrawal requested"),
    State.STOPPED: ("Dừng giải quyết", "Stopped"),
    State.CLOSED_NO_SUPPLEMENT: ("Kết thúc do không bổ sung", "Closed, never supplemented"),
    State.TRANSFERRED: ("Đã chuyển cơ quan khác", "Transferred to another agency"),
}

ACTION_LABELS: dict[Action, tuple[str, str]] = {
    Action.REQUEST_INTAKE_SUPPLEMENT: ("Yêu cầu bổ sung hồ sơ", "Supplement requested"),
    Action.INTAKE_SUPPLEMENT_RECEIVED: ("Nhận hồ sơ bổ sung", "Supplement received"),
    Action.REFUSE: ("Từ chối tiếp nhận", "Refused"),
    Action.ACCEPT: ("Tiếp nhận hồ sơ", "Accepted"),
    Action.TRANSFER: ("Chuyển xử lý", "Transferred"),
    Action.HAND_OVER: ("Bàn giao", "Handed over"),
    Action.REQUEST_SUPPLEMENT: ("Yêu cầu bổ sung sau thẩm định",
                                "Supplement requested after appraisal"),
    Action.SUPPLEMENT_RECEIVED: ("Nhận hồ sơ bổ sung", "Supplement received"),
    Action.CLOSE_NO_SUPPLEMENT: ("Kết thúc do không bổ sung", "Closed, never supplemented"),
    Action.REQUEST_FEE: ("Yêu cầu thực hiện nghĩa vụ tài chính", "Fees requested"),
    Action.FEE_PAID: ("Đã thực hiện nghĩa vụ tài chính", "Fees paid"),
    Action.APPROVE: ("Phê duyệt", "Approved"),
    Action.RESULT_READY: ("Có kết quả", "Result ready"),
    Action.REFUSE_AFTER_APPRAISAL: ("Từ chối giải quyết", "Refused after appraisal"),
    Action.RETURN_RESULT: ("Trả kết quả", "Result returned"),
    Action.EXTEND: ("Xin lỗi và gia hạn", "Apology and extension"),
    Action.REQUEST_WITHDRAWAL: ("Xin rút hồ sơ", "Withdrawal requested"),
    Action.STOP: ("Dừng giải quyết", "Stopped"),
    Action.SEND_TO_AGENCY: ("Chuyển hồ sơ đến cơ quan khác", "Sent to another agency"),
    Action.TAKEN_BY_AGENCY: ("Cơ quan khác đã tiếp nhận hồ sơ chuyển đến",
                             "Taken in by the other agency"),
}

# Before the decision: the applicant may still withdraw (Art. 21).
UNDECIDED = frozenset({State.SUBMITTED, State.INTAKE_SUPPLEMENT, State.ACCEPTED,
                       State.PROCESSING, State.SUPPLEMENT_REQUESTED, State.FEE_DUE})
# The clock runs and the due time may be extended once (Art. 19.6).
RUNNING = frozenset({State.ACCEPTED, State.PROCESSING, State.FEE_DUE})
# R11.1(a), R11.2: the desk may send a dossier it received for a body it does not serve to that
# body's desk through the hub, before the intake decision only (onestop.md §5-6: one code per
# dossier; the transfer to the deciding body happens at intake): no code given, no clock
# started. The dossier keeps its state here: the other desk receives, codes and decides it.
FORWARDABLE = frozenset({State.SUBMITTED})

TRANSITIONS: dict[tuple[State, Action], State] = {
    (State.SUBMITTED, Action.REQUEST_INTAKE_SUPPLEMENT): State.INTAKE_SUPPLEMENT,
    (State.INTAKE_SUPPLEMENT, Action.INTAKE_SUPPLEMENT_RECEIVED): State.SUBMITTED,
    (State.SUBMITTED, Action.REFUSE): State.REFUSED,
    (State.INTAKE_SUPPLEMENT, Action.REFUSE): State.REFUSED,
    (State.SUBMITTED, Action.ACCEPT): State.ACCEPTED,
    (State.ACCEPTED, Action.TRANSFER): State.PROCESSING,
    (State.PROCESSING, Action.HAND_OVER): State.PROCESSING,
    (State.PROCESSING, Action.REQUEST_SUPPLEMENT): State.SUPPLEMENT_REQUESTED,
    (State.SUPPLEMENT_REQUESTED, Action.SUPPLEMENT_RECEIVED): State.PROCESSING,
    (State.SUPPLEMENT_REQUESTED, Action.CLOSE_NO_SUPPLEMENT): State.CLOSED_NO_SUPPLEMENT,
    (State.PROCESSING, Action.REQUEST_FEE): State.FEE_DUE,
    (State.FEE_DUE, Action.FEE_PAID): State.PROCESSING,
    (State.PROCESSING, Action.APPROVE): State.PROCESSING,
    (State.PROCESSING, Action.RESULT_READY): State.RESULT_READY,
    (State.PROCESSING, Action.REFUSE_AFTER_APPRAISAL): State.REFUSED_AFTER_APPRAISAL,
    (State.RESULT_READY, Action.RETURN_RESULT): State.RETURNED,
    (State.REFUSED_AFTER_APPRAISAL, Action.RETURN_RESULT): State.RETURNED,
    **{(state, Action.EXTEND): state for state in RUNNING},
    **{(state, Action.REQUEST_WITHDRAWAL): State.WITHDRAWAL_REQUESTED for state in UNDECIDED},
    (State.WITHDRAWAL_REQUESTED, Action.STOP): State.STOPPED,
    **{(state, Action.SEND_TO_AGENCY): state for state in FORWARDABLE},
    # The other desk took the forwarded dossier in (R11.1a): it is that desk's dossier now,
    # this one ends without a code or a clock.
    **{(state, Action.TAKEN_BY_AGENCY): State.TRANSFERRED for state in FORWARDABLE},
}

TERMINAL = frozenset({State.REFUSED, State.RETURNED, State.STOPPED,
                      State.CLOSED_NO_SUPPLEMENT, State.TRANSFERRED})
INITIAL = State.SUBMITTED


class IllegalMove(Conflict):
    """The action is not possible in the dossier's state."""

    code = "illegal_move"

    def __init__(self, state: State, action: Action) -> None:
        state_vi, state_en = STATE_LABELS[state]
        action_vi, action_en = ACTION_LABELS[action]
        super().__init__(
            f"Không thể thực hiện “{action_vi}” khi hồ sơ ở trạng thái “{state_vi}”.",
            f"“{action_en}” is not possible while the dossier is “{state_en}”.",
            state=state.value, action=action.value)
        self.state = state
        self.action = action


def next_state(state: State | str, action: Action | str) -> State:
    """The state after ``action``, or :class:`IllegalMove`."""
    current, act = State(state), Action(action)
    try:
        return TRANSITIONS[(current, act)]
    except KeyError:
        raise IllegalMove(current, act) from None


def allowed_actions(state: State | str) -> frozenset[Action]:
    """What may happen next (the pages show only these buttons)."""
    current = State(state)
    return frozenset(action for (source, action) in TRANSITIONS if source is current)
