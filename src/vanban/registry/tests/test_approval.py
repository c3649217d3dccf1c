"""Draft approval before signing (trình ký) and the head's notes (bút phê): the pure state rule,
every transition and refusal of the services, the notes' immutability, the pages and the
dashboard counter (issue 13; R14.2 for the notes, R16.2 for the audited refusals)."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse

from vanban.audit.models import AuditEvent
from vanban.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from vanban.core.roles import Role
from vanban.directory.models import Agency
from vanban.registry import services, triggers
from vanban.registry.core import approval as flow
from vanban.registry.integrity import step_digest
from vanban.registry.models import ApprovalStep, Document, DocumentState
from vanban.registry.tests.conftest import make_pdf

pytestmark = pytest.mark.django_db
NOTE = "Đề nghị bổ sung căn cứ Nghị định 30/2020/NĐ-CP."


@pytest.fixture
def head(make_user: Callable[..., Any], sender: Agency) -> Any:
    """The head (Giám đốc) of the sending agency."""
    return make_user(sender, roles=[Role.HEAD], username="gd.snv")


@pytest.fixture
def delegate(make_user: Callable[..., Any], sender: Agency) -> Any:
    """A deputy who signs in the head's name."""
    return make_user(sender, roles=[Role.DELEGATE], username="pgd.snv")


@pytest.fixture
def drafted(specialist: Any, sender: Agency, finance: Agency) -> Document:
    """A công văn the specialist drafted."""
    return services.document_create(
        actor=specialist, agency=sender, type_code="cong_van", subject="Về việc trình ký thử",
        recipients=[services.RecipientInput(agency=finance)])


def _fresh(document: Document) -> Document:
    return Document.objects.select_related("agency").get(pk=document.pk)


def _events(action: str) -> list[dict[str, Any]]:
    return [json.loads(e.data) for e in AuditEvent.objects.filter(action=action).order_by("seq")]


# --- the pure rule --------------------------------------------------------------------------

@pytest.mark.parametrize(("state", "approval", "submit", "number", "edit"), [
    ("draft", "", None, None, None),
    ("draft", "pending", "approval_pending", "approval_waiting", "approval_waiting"),
    ("draft", "returned", None, "approval_returned", None),
    ("draft", "approved", "approval_approved", None, "approval_frozen"),
    ("registered", "approved", "approval_not_draft", None, "approval_frozen"),
    ("registered", "", "approval_not_draft", None, None),
])
def test_state_rule(state: str, approval: str, submit: str | None, number: str | None,
                    edit: str | None) -> None:
    """Which step each approval state allows: numbering and signing wait while pending and
    after a return until resubmitted; a draft is frozen while pending and once approved."""
    def code(refusal: flow.Refusal | None) -> str | None:
        return refusal.code if refusal is not None else None

    assert code(flow.submit_refusal(state, approval)) == submit
    assert code(flow.number_refusal(approval)) == number
    assert code(flow.edit_refusal(approval)) == edit


def test_decide_rule() -> None:
    """Approve and return only a pending draft (return also an approved one); a return needs a
    note."""
    assert flow.decide_refusal("draft", "pending", flow.Step.APPROVE, "") is None
    assert flow.decide_refusal("draft", "pending", flow.Step.RETURN, "  ") == flow.NOTE_REQUIRED
    assert flow.decide_refusal("draft", "approved", flow.Step.RETURN, NOTE) is None
    assert flow.decide_refusal("draft", "approved", flow.Step.APPROVE, "") == flow.NOT_PENDING
    assert flow.decide_refusal("draft", "", flow.Step.APPROVE, "") == flow.NOT_PENDING
    assert flow.decide_refusal("registered", "pending", flow.Step.APPROVE, "") == flow.NOT_DRAFT
    assert flow.after(flow.Step.NOTE, "pending") == flow.Approval.PENDING
    assert flow.after(flow.Step.RETURN, "approved") == flow.Approval.RETURNED


# --- the services ---------------------------------------------------------------------------

def test_submit_return_resubmit_approve_then_clerk_numbers(
        drafted: Document, specialist: Any, head: Any, clerk: Any) -> None:
    """Every transition, each recorded with who and when and audited in its transaction; the
    clerk numbers only once the head approved."""
    services.document_submit(actor=specialist, document=drafted, note="Kính trình Giám đốc.")
    assert _fresh(drafted).approval == "pending"
    with pytest.raises(Conflict) as err:
        services.document_register(actor=clerk, document=_fresh(drafted))
    assert err.value.code == "approval_waiting"
    with pytest.raises(Conflict):
        services.document_update(actor=specialist, document=_fresh(drafted), type_code="cong_van",
                                 subject="Sửa khi đang chờ duyệt")
    with pytest.raises(Conflict):
        services.document_upload(actor=clerk, document=_fresh(drafted), main=[make_pdf()])

    services.document_return(actor=head, document=_fresh(drafted), note=NOTE)
    assert _fresh(drafted).approval == "returned"
    with pytest.raises(Conflict) as err:
        services.document_register(actor=clerk, document=_fresh(drafted))
    assert err.value.code == "approval_returned"
    services.document_update(actor=specialist, document=_fresh(drafted), type_code="cong_van",
                             subject="Về việc trình ký thử (đã sửa theo bút phê)")

    services.document_submit(actor=specialist, document=_fresh(drafted))
    services.document_approve(actor=head, document=_fresh(drafted), note="Đồng ý.")
    assert _fresh(drafted).approval == "approved"
    with pytest.raises(Conflict) as err:
        services.document_update(actor=specialist, document=_fresh(drafted),
                                 type_code="cong_van", subject="Sửa sau khi duyệt")
    assert err.value.code == "approval_frozen"
    registered = services.document_register(actor=clerk, document=_fresh(drafted))
    assert registered.state == DocumentState.REGISTERED
    assert registered.code_number == 1

    steps = list(ApprovalStep.objects.filter(document=drafted).order_by("at", "pk"))
    assert [(s.kind, s.author_id) for s in steps] == [
        ("submit", specialist.pk), ("return", head.pk), ("submit", specialist.pk),
        ("approve", head.pk)]
    assert steps[1].note == NOTE
    assert steps[1].author_name == str(head)
    returned = _events("registry.document_return")
    assert returned[0]["row_sha256"] == step_digest(
        pk=steps[1].pk, document_id=drafted.pk, kind="return", author_id=head.pk,
        author_name=steps[1].author_name, at=steps[1].at, note=NOTE)
    assert len(_events("registry.document_submit")) == 2
    assert len(_events("registry.document_approve")) == 1


def test_roles_are_refused_and_audited(drafted: Document, specialist: Any, clerk: Any,
                                       delegate: Any, other_clerk: Any) -> None:
    """Only the head or a delegate decides; another agency sees nothing; refusals are audited
    as ``.denied``."""
    services.document_submit(actor=clerk, document=drafted)
    for actor in (specialist, clerk):
        with pytest.raises(Forbidden):
            services.document_approve(actor=actor, document=_fresh(drafted))
        with pytest.raises(Forbidden):
            services.document_note(actor=actor, document=_fresh(drafted), note=NOTE)
    with pytest.raises(NotFound):
        services.document_return(actor=other_clerk, document=_fresh(drafted), note=NOTE)
    with pytest.raises(NotFound):
        services.document_submit(actor=other_clerk, document=_fresh(drafted))
    assert len(_events("registry.document_approve.denied")) == 2
    assert len(_events("registry.document_return.denied")) == 1
    services.document_approve(actor=delegate, document=_fresh(drafted))
    assert _fresh(drafted).approval == "approved"


def test_state_refusals(drafted: Document, specialist: Any, head: Any, clerk: Any,
                        sender: Agency) -> None:
    """Submitting twice, deciding what waits for nobody, a return without a note, a note on a
    registered document, a classified draft: each refused with its code, nothing written."""
    with pytest.raises(Conflict) as err:
        services.document_approve(actor=head, document=drafted)
    assert err.value.code == "approval_not_pending"
    services.document_submit(actor=specialist, document=drafted)
    with pytest.raises(Conflict) as err:
        services.document_submit(actor=specialist, document=_fresh(drafted))
    assert err.value.code == "approval_pending"
    with pytest.raises(Conflict) as err:
        services.document_return(actor=head, document=_fresh(drafted), note=" ")
    assert err.value.code == "approval_note_required"
    with pytest.raises(Conflict):
        services.document_note(actor=head, document=_fresh(drafted), note="")
    services.document_approve(actor=head, document=_fresh(drafted))
    with pytest.raises(Conflict) as err:
        services.document_submit(actor=specialist, document=_fresh(drafted))
    assert err.value.code == "approval_approved"
    services.document_register(actor=clerk, document=_fresh(drafted))
    with pytest.raises(Conflict) as err:
        services.document_note(actor=head, document=_fresh(drafted), note=NOTE)
    assert err.value.code == "approval_not_draft"
    assert ApprovalStep.objects.filter(document=drafted).count() == 2
    secret = services.document_create(actor=specialist, agency=sender, type_code="cong_van",
                                      subject="Mật", classification="mat")
    with pytest.raises(ValidationFailed) as refused:
        services.document_submit(actor=specialist, document=secret)
    assert refused.value.code == "classified"


def test_head_note_and_return_of_an_approved_draft(drafted: Document, specialist: Any,
                                                   head: Any) -> None:
    """A note changes nothing but stays; an approved draft may still be returned (the only
    way to change it again)."""
    services.document_submit(actor=specialist, document=drafted)
    services.document_note(actor=head, document=_fresh(drafted), note="Xem lại số liệu.")
    assert _fresh(drafted).approval == "pending"
    services.document_approve(actor=head, document=_fresh(drafted))
    services.document_return(actor=head, document=_fresh(drafted), note=NOTE)
    assert _fresh(drafted).approval == "returned"
    assert [s.kind for s in ApprovalStep.objects.filter(document=drafted)] == [
        "submit", "note", "approve", "return"]


def test_notes_are_immutable(drafted: Document, specialist: Any, head: Any) -> None:
    """R14.2: a saved note cannot be changed or deleted, even by a raw query."""
    services.document_submit(actor=specialist, document=drafted)
    step = services.document_return(actor=head, document=_fresh(drafted), note=NOTE)
    for attempt in (
        lambda: ApprovalStep.objects.filter(pk=step.pk).update(note="Đồng ý."),
        lambda: ApprovalStep.objects.filter(pk=step.pk).delete(),
    ):
        with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
            attempt()
    assert ApprovalStep.objects.get(pk=step.pk).note == NOTE


# --- pages and the dashboard ----------------------------------------------------------------

def _client(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="vi")
    client.force_login(user)
    return client


def test_pages(drafted: Document, specialist: Any, head: Any, clerk: Any) -> None:
    """The specialist submits from the document's page; the head finds it in "Chờ duyệt" (a
    dashboard counter), returns it with a note shown on the page; the clerk's numbering button
    is hidden meanwhile."""
    page = reverse("registry:document_detail", args=[drafted.pk])
    writer = _client(specialist)
    assert 'data-testid="approval-submit"' in writer.get(page).content.decode()
    writer.post(reverse("registry:document_submit", args=[drafted.pk]), {"note": "Kính trình."})
    boss = _client(head)
    assert "Chờ duyệt" in boss.get(reverse("web:home")).content.decode()
    queue = boss.get(reverse("registry:approval_queue")).content.decode()
    assert drafted.subject in queue
    assert writer.get(reverse("registry:approval_queue")).status_code == 403
    assert 'data-testid="document-register"' not in _client(clerk).get(page).content.decode()
    boss.post(reverse("registry:document_return", args=[drafted.pk]), {"note": NOTE})
    shown = writer.get(page).content.decode()
    assert NOTE in shown
    assert 'data-approval="returned"' in shown
    response = boss.post(reverse("registry:document_approve", args=[drafted.pk]),
                         {"note": ""}, follow=True)
    assert "không ở trạng thái chờ duyệt" in response.content.decode()
    assert drafted.subject not in boss.get(reverse("registry:approval_queue")).content.decode()


def test_dashboard_counter(drafted: Document, specialist: Any, head: Any) -> None:
    """The head's home page counts the drafts waiting for approval, linked to the queue."""
    services.document_submit(actor=specialist, document=drafted)
    home = _client(head).get(reverse("web:home")).content.decode()
    queue = reverse("registry:approval_queue")
    assert (f'href="{queue}" data-testid="counter" data-counter="awaiting_approval" '
            'data-count="1"') in home


def _verify() -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("audit", "verify", stdout=out, stderr=err)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue() + err.getvalue()
    return 0, out.getvalue() + err.getvalue()


def test_audit_verify_detects_an_edited_note(drafted: Document, specialist: Any,
                                             head: Any) -> None:
    """R14.2, R14.3: an administrator who drops the trigger and rewrites the head's note is
    caught by ``vanban audit verify``, as for opinions (ADR 0008)."""
    services.document_submit(actor=specialist, document=drafted)
    step = services.document_return(actor=head, document=_fresh(drafted), note=NOTE)
    assert _verify()[0] == 0
    triggers.drop(connection)
    try:
        with connection.cursor() as cursor:
            cursor.execute("UPDATE registry_approvalstep SET note = %s WHERE id = %s",
                           ["Đồng ý.", step.pk])
    finally:
        triggers.install(connection)
    code, said = _verify()
    assert code != 0
    assert f"#{step.pk}" in said
    assert "trình duyệt" in said or "Approval step" in said
