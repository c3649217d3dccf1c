"""The delivery state machine over the edXML status codes (pure; vn-standards §1.6, R7.1)."""

from __future__ import annotations

import pytest

from vanban.exchange.core.states import (
    Code,
    InvalidTransition,
    State,
    advance,
    apply,
    normalise_code,
    withdraw,
)


def test_happy_path_01_03_04_05_06():
    """R7.1: arrived, accepted, assigned, processing, completed, in that order."""
    state = State.SENT
    for code in (Code.ARRIVED, Code.ACCEPTED, Code.ASSIGNED, Code.PROCESSING, Code.COMPLETED):
        step = apply(state, code)
        assert step.changed
        state = step.state
    assert state is State.COMPLETED


@pytest.mark.parametrize(("state", "code"), [
    (State.SENT, Code.ACCEPTED), (State.ARRIVED, Code.ASSIGNED), (State.REJECTED, Code.ACCEPTED),
    (State.ACCEPTED, Code.REJECTED), (State.COMPLETED, Code.RECALL_REQUESTED),
    (State.WITHDRAWN, Code.ARRIVED), (State.ARRIVED, Code.RECALL_AGREED),
    (State.RECALLED, Code.RECALL_REQUESTED),
])
def test_strict_apply_refuses_out_of_order(state, code):
    """Local services cannot skip or undo a step."""
    with pytest.raises(InvalidTransition):
        apply(state, code)


def test_recall_refused_returns_to_previous_state():
    """13 remembers where it was; 16 goes back there, 15 ends the delivery."""
    asked = apply(State.ACCEPTED, Code.RECALL_REQUESTED)
    assert asked.state is State.RECALL_REQUESTED
    assert asked.before_recall is State.ACCEPTED
    assert apply(asked.state, Code.RECALL_REFUSED, before_recall=asked.before_recall).state \
        is State.ACCEPTED
    assert apply(asked.state, Code.RECALL_AGREED, before_recall=asked.before_recall).state \
        is State.RECALLED


def test_remote_codes_tolerate_repeats_and_late_arrivals():
    """A repeated 01 or a late 01 after 03 changes nothing; 03 before 01 implies the 01."""
    assert not advance(State.ARRIVED, Code.ARRIVED).changed
    assert not advance(State.ACCEPTED, Code.ARRIVED).changed
    skipped = advance(State.SENT, Code.ACCEPTED)
    assert skipped.state is State.ACCEPTED
    assert skipped.implied == (Code.ARRIVED,)
    with pytest.raises(InvalidTransition):
        advance(State.REJECTED, Code.ACCEPTED)
    assert not advance(State.WITHDRAWN, Code.ACCEPTED).changed


def test_progress_during_a_pending_recall_is_kept():
    """A 05 arriving while the recall is pending updates the state to return to."""
    step = advance(State.RECALL_REQUESTED, Code.PROCESSING, before_recall=State.ACCEPTED)
    assert step.state is State.RECALL_REQUESTED
    assert step.before_recall is State.PROCESSING


def test_fourteen_is_read_as_fifteen_and_unknown_codes_refused():
    """vn-standards §1.6: 14 is an alias of 15 on input; 07 is undefined."""
    assert normalise_code("14") is Code.RECALL_AGREED
    assert normalise_code("3") is Code.ACCEPTED
    with pytest.raises(InvalidTransition):
        normalise_code("07")


def test_withdraw_from_any_state_once():
    """Revocation withdraws whatever the state, and only once."""
    for state in (State.SENT, State.ARRIVED, State.COMPLETED, State.REJECTED):
        assert withdraw(state).state is State.WITHDRAWN
    assert not withdraw(State.WITHDRAWN).changed
