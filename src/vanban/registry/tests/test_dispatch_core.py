"""R3.2: the channel and the paper decision per recipient, as pure rules."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from vanban.registry.core.dispatch import (
    Channel,
    DocumentFacts,
    PaperReason,
    RecipientFacts,
    plan_for,
)

DOC = DocumentFacts(type_code="cong_van", legal_normative=False)
LOCAL = RecipientFacts(local=True, mailbox="snv@bacgiang.gov.vn")


def test_connected_local_agency_is_internal_without_paper() -> None:
    """R3.1: by default a document goes electronically only."""
    plan = plan_for(DOC, LOCAL)
    assert (plan.channel, plan.paper, plan.reasons) == (Channel.INTERNAL, False, ())
    assert plan_for(DOC, RecipientFacts(remote=True)).channel == Channel.FEDERATED


def test_legal_normative_goes_on_paper_too() -> None:
    """R3.2a: a legal normative document also goes on paper, still electronically."""
    plan = plan_for(DocumentFacts("quyet_dinh", legal_normative=True), LOCAL)
    assert plan.channel == Channel.INTERNAL
    assert plan.reasons == (PaperReason.LEGAL_NORMATIVE,)
    assert plan.paper


def test_not_connected_recipient_or_sender() -> None:
    """R3.2b: recipient or sender not connected: mailbox if any, and paper."""
    plan = plan_for(DOC, RecipientFacts(local=True, connected=False, mailbox="x@y.vn"))
    assert (plan.channel, plan.reasons) == (Channel.MAIL, (PaperReason.NOT_CONNECTED,))
    plan = plan_for(DOC, RecipientFacts(local=True, connected=False))
    assert plan.channel == Channel.PAPER_ONLY
    assert plan.paper
    sender_off = DocumentFacts("cong_van", legal_normative=False, sender_connected=False)
    assert plan_for(sender_off, LOCAL).reasons == (PaperReason.NOT_CONNECTED,)


def test_paper_required_by_rule() -> None:
    """R3.2c: a configured type always goes on paper too."""
    plan = plan_for(DocumentFacts("hop_dong", False), LOCAL, paper_types=frozenset({"hop_dong"}))
    assert plan.reasons == (PaperReason.PAPER_REQUIRED_BY_RULE,)
    assert plan_for(DOC, LOCAL, paper_types=frozenset({"hop_dong"})).reasons == ()


def test_individual() -> None:
    """R3.2d: an individual gets paper (and mail when an address is known)."""
    plan = plan_for(DOC, RecipientFacts(individual=True, mailbox="a@gmail.com"))
    assert (plan.channel, plan.reasons) == (Channel.MAIL, (PaperReason.INDIVIDUAL,))
    assert plan_for(DOC, RecipientFacts(individual=True)).channel == Channel.PAPER_ONLY


@given(st.tuples(st.booleans(), st.booleans(), st.booleans(), st.booleans(), st.booleans(),
                 st.sampled_from(["", "a@b.vn"]), st.booleans()))
def test_every_recipient_gets_a_route(facts: tuple[bool, ...]) -> None:
    """Whatever the facts, there is a route, and no electronic route means paper."""
    legal, sender, individual, local, connected, mailbox, rule = facts
    doc = DocumentFacts("hop_dong", legal_normative=bool(legal), sender_connected=bool(sender))
    recipient = RecipientFacts(individual=bool(individual), local=bool(local),
                               connected=bool(connected), mailbox=str(mailbox))
    plan = plan_for(doc, recipient, paper_types=frozenset({"hop_dong"} if rule else ()))
    assert plan.paper == (bool(plan.reasons) or plan.channel is Channel.PAPER_ONLY)
    assert (PaperReason.LEGAL_NORMATIVE in plan.reasons) == legal
    assert (PaperReason.INDIVIDUAL in plan.reasons) == individual
    if plan.channel is Channel.INTERNAL:
        assert local
        assert connected
        assert sender
        assert not individual


def test_recipient_listed_under_noi_nhan_gets_paper_and_electronic() -> None:
    """R6.1, R3.1: an agency listed under "Nơi nhận:" gets its paper copy, and (being
    connected) the electronic copy as well; the reason says why."""
    plan = plan_for(DOC, RecipientFacts(local=True, paper_listed=True))
    assert plan.channel is Channel.INTERNAL
    assert plan.paper is True
    assert plan.reasons == (PaperReason.LISTED_FOR_PAPER,)
