"""The dossier state machine of onestop.md §5 (pure, property-tested; R11.2)."""

from __future__ import annotations

from collections import deque

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vanban.onestop.core.states import (
    ACTION_LABELS,
    INITIAL,
    STATE_LABELS,
    TERMINAL,
    TRANSITIONS,
    UNDECIDED,
    Action,
    IllegalMove,
    State,
    allowed_actions,
    next_state,
)


def _reachable() -> set[State]:
    seen, todo = {INITIAL}, deque([INITIAL])
    while todo:
        state = todo.popleft()
        for action in allowed_actions(state):
            after = next_state(state, action)
            if after not in seen:
                seen.add(after)
                todo.append(after)
    return seen


def test_happy_path_counter_to_return() -> None:
    """R11.2: a valid dossier is accepted, processed across steps, approved and returned."""
    state = INITIAL
    for action in (Action.REQUEST_INTAKE_SUPPLEMENT, Action.INTAKE_SUPPLEMENT_RECEIVED,
                   Action.ACCEPT, Action.TRANSFER, Action.HAND_OVER, Action.REQUEST_SUPPLEMENT,
                   Action.SUPPLEMENT_RECEIVED, Action.APPROVE, Action.RESULT_READY,
                   Action.RETURN_RESULT):
        state = next_state(state, action)
    assert state is State.RETURNED


def test_invalid_dossier_is_returned_with_reason() -> None:
    """R11.2: an invalid dossier is refused (with its reason, kept by the service)."""
    assert next_state(State.SUBMITTED, Action.REFUSE) is State.REFUSED
    assert next_state(State.INTAKE_SUPPLEMENT, Action.REFUSE) is State.REFUSED


def test_every_state_is_reachable_and_labelled() -> None:
    """No state is dead code; each has both labels, as has each action."""
    assert _reachable() == set(State)
    assert set(STATE_LABELS) == set(State)
    assert set(ACTION_LABELS) == set(Action)


def test_every_non_terminal_state_leads_to_an_end() -> None:
    """No dossier can be stuck: from every live state some path reaches a terminal state."""
    for start in set(State) - TERMINAL:
        seen, todo = {start}, deque([start])
        while todo:
            state = todo.popleft()
            for action in allowed_actions(state):
                after = next_state(state, action)
                if after not in seen:
                    seen.add(after)
                    todo.append(after)
        assert seen & TERMINAL, start


@pytest.mark.parametrize("state", sorted(TERMINAL))
def test_terminal_states_are_terminal(state: State) -> None:
    """Refused, returned, stopped and closed dossiers never move again."""
    assert allowed_actions(state) == frozenset()
    for action in Action:
        with pytest.raises(IllegalMove):
            next_state(state, action)


def test_withdrawal_only_before_the_decision() -> None:
    """Art. 21: withdrawal until the decision; not once the result is ready or refused."""
    for state in State:
        allowed = Action.REQUEST_WITHDRAWAL in allowed_actions(state)
        assert allowed == (state in UNDECIDED), state


def test_illegal_move_is_bilingual_and_typed() -> None:
    """An illegal move is a 409 domain error in Vietnamese and English, naming both."""
    with pytest.raises(IllegalMove) as caught:
        next_state(State.SUBMITTED, Action.RETURN_RESULT)
    error = caught.value
    assert error.status == 409
    assert "Trả kết quả" in error.vi
    assert "Mới nộp" in error.vi
    assert "Result returned" in error.en
    assert error.extra == {"state": "submitted", "action": "return_result"}


def test_no_acceptance_without_intake_check() -> None:
    """A dossier awaiting its intake supplement cannot be accepted before it comes back."""
    with pytest.raises(IllegalMove):
        next_state(State.INTAKE_SUPPLEMENT, Action.ACCEPT)


@given(st.lists(st.sampled_from(list(Action)), max_size=40))
def test_random_walks_follow_the_table(actions: list[Action]) -> None:
    """Any sequence of actions either follows the table or is refused; a refused action leaves
    the state unchanged, terminal states absorb nothing, and only reachable states appear."""
    reachable = _reachable()
    state = INITIAL
    for action in actions:
        try:
            after = next_state(state, action)
        except IllegalMove:
            assert (state, action) not in TRANSITIONS
            continue
        assert state not in TERMINAL
        assert TRANSITIONS[(state, action)] is after
        assert after in reachable
        state = after


@given(st.sampled_from(list(State)), st.sampled_from(list(Action)))
def test_string_values_are_accepted(state: State, action: Action) -> None:
    """Services pass the stored strings; the answer is the same as for the enums."""
    try:
        expected: State | None = next_state(state, action)
    except IllegalMove:
        expected = None
    try:
        got: State | None = next_state(state.value, action.value)
    except IllegalMove:
        got = None
    assert got is expected


def test_accepted_is_reached_only_by_acceptance() -> None:
    """The code and the clock come only with acceptance: no other action leads to accepted."""
    into = {action for (before, action), after in TRANSITIONS.items()
            if after is State.ACCEPTED and before is not State.ACCEPTED}
    assert into == {Action.ACCEPT}
