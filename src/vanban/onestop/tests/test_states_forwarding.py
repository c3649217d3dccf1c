"""The state machine's "sent to another agency" move (R11.1a, R11.2; onestop.md §5): the
sending desk's dossier keeps its state, and only a dossier before the intake decision may be
sent (one code per dossier: the deciding body's desk gives it)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vanban.onestop.core.states import (
    FORWARDABLE,
    TERMINAL,
    Action,
    IllegalMove,
    State,
    allowed_actions,
    next_state,
)


@given(st.sampled_from(list(State)))
def test_sending_keeps_the_state_where_allowed(state: State) -> None:
    """R11.1(a): sending is a transition that keeps the state (one event, like a hand-over),
    offered exactly in the forwardable states and never in a terminal one."""
    if state in FORWARDABLE:
        assert Action.SEND_TO_AGENCY in allowed_actions(state)
        assert next_state(state, Action.SEND_TO_AGENCY) is state
    else:
        assert Action.SEND_TO_AGENCY not in allowed_actions(state)
        with pytest.raises(IllegalMove):
            next_state(state, Action.SEND_TO_AGENCY)


def test_forwardable_states_are_live_and_undecided() -> None:
    """R11.1(a), R11.2: only a dossier before the intake decision is sent on (no code, no
    clock: an accepted or processing dossier would live on with two codes); a decided or ended
    dossier never, one waiting for the applicant's papers neither (the desk asks first)."""
    assert {State.SUBMITTED} == FORWARDABLE
    assert not FORWARDABLE & TERMINAL


@given(st.lists(st.sampled_from(list(FORWARDABLE)), min_size=1, max_size=5))
def test_sending_twice_or_more_changes_nothing(states: list[State]) -> None:
    """A dossier may be sent to several desks in turn: each sending leaves it where it was."""
    for state in states:
        after = state
        for _ in range(3):
            after = next_state(after, Action.SEND_TO_AGENCY)
        assert after is state


def test_transferred_is_terminal_and_reached_only_by_the_take_in() -> None:
    """R11.1(a), R11.2: *transferred* ends a submitted dossier the other desk took in; nothing
    leads out of it and no other action leads into it."""
    from vanban.onestop.core.states import TRANSITIONS, Action, allowed_actions

    assert State.TRANSFERRED in TERMINAL
    assert not allowed_actions(State.TRANSFERRED)
    into = {(before, action) for (before, action), after in TRANSITIONS.items()
            if after is State.TRANSFERRED}
    assert into == {(State.SUBMITTED, Action.TAKEN_BY_AGENCY)}
