"""Directions and opinions: attributed, timestamped, append-only, audited (R14.2, R14.3)."""

from __future__ import annotations

import hashlib
import io
import json
from contextlib import contextmanager

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from vanban.audit.models import AuditEvent
from vanban.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from vanban.workflow import selectors, triggers
from vanban.workflow.models import LineRole, Opinion
from vanban.workflow.services import assignment_create, opinion_write
from vanban.workflow.tests.conftest import MONDAY, line


@pytest.fixture
def assigned(head, paper, budget):
    assignment_create(actor=head, document=paper, lines=[line(LineRole.LEAD, unit=budget, days=5)])
    return paper


def _verify() -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("audit", "verify", stdout=out, stderr=err)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


@contextmanager
def _as_administrator_without_triggers():
    triggers.drop(connection)
    try:
        with connection.cursor() as cursor:
            yield cursor
    finally:
        triggers.install(connection)


def test_opinion_is_attributed_timestamped_and_audited(assigned, specialist):
    """R14.2: the opinion records its author and time; its audit event carries the id and the
    text's SHA-256, in the same transaction."""
    opinion = opinion_write(actor=specialist, document=assigned, text="Đề nghị bổ sung số liệu.")
    assert opinion.author == specialist
    assert opinion.author_name == str(specialist)
    assert opinion.at == MONDAY
    assert opinion.kind == "opinion"
    event = AuditEvent.objects.get(action="workflow.opinion_write", object_id=str(opinion.pk))
    data = json.loads(event.data)
    assert data["opinion_id"] == opinion.pk
    assert data["text_sha256"] == hashlib.sha256("Đề nghị bổ sung số liệu.".encode()).hexdigest()
    assert event.actor_id == specialist.pk


def test_direction_only_for_head(assigned, head, specialist):
    """R14.2: the head's entry is a direction by default; a specialist cannot write one."""
    assert opinion_write(actor=head, document=assigned, text="Khẩn trương.").kind == "direction"
    with pytest.raises(ValidationFailed):
        opinion_write(actor=specialist, document=assigned, text="Chỉ đạo", kind="direction")


def test_database_refuses_update_and_delete(assigned, specialist):
    """R14.2: the table is append-only: UPDATE and DELETE are refused by the database."""
    opinion = opinion_write(actor=specialist, document=assigned, text="Ý kiến gốc.")
    with pytest.raises(DatabaseError), transaction.atomic():
        Opinion.objects.filter(pk=opinion.pk).update(text="Đã sửa")
    with pytest.raises(DatabaseError), transaction.atomic():
        Opinion.objects.filter(pk=opinion.pk).delete()
    assert Opinion.objects.get(pk=opinion.pk).text == "Ý kiến gốc."


def test_correction_is_a_new_entry(assigned, specialist, head):
    """R14.2: a correction is a new opinion pointing at the old one, which stays unchanged;
    only its author corrects it, once (then the correction is corrected)."""
    old = opinion_write(actor=specialist, document=assigned, text="Hạn là 10/11.")
    with pytest.raises(Forbidden):
        opinion_write(actor=head, document=assigned, text="Sửa", corrects=old)
    new = opinion_write(actor=specialist, document=assigned, text="Hạn là 09/11.", corrects=old)
    assert new.corrects == old
    assert Opinion.objects.get(pk=old.pk).text == "Hạn là 10/11."
    with pytest.raises(Conflict):
        opinion_write(actor=specialist, document=assigned, text="Lần nữa", corrects=old)
    thread = selectors.opinions_of(assigned)
    assert [o.pk for o in thread] == [old.pk, new.pk]
    assert thread[0].correction == new


def test_stranger_cannot_write(assigned, stranger, specialist2):
    """R14.2: another agency's staff, or staff holding no line, do not see the document."""
    with pytest.raises(NotFound):
        opinion_write(actor=stranger, document=assigned, text="?")
    with pytest.raises(NotFound):
        opinion_write(actor=specialist2, document=assigned, text="?")


def test_audit_verify_detects_an_edited_opinion(assigned, specialist):
    """R14.2, R14.3: an administrator drops the trigger and edits an opinion: ``vanban audit
    verify`` fails and names it."""
    opinion_write(actor=specialist, document=assigned, text="Trước")
    victim = opinion_write(actor=specialist, document=assigned, text="Đồng ý phương án 1.")
    assert _verify()[0] == 0
    with _as_administrator_without_triggers() as cursor:
        cursor.execute("UPDATE workflow_opinion SET text = %s WHERE id = %s",
                       ["Đồng ý phương án 2.", victim.pk])
    code, _out, err = _verify()
    assert code == 1
    assert f"Ý kiến #{victim.pk} đã bị sửa" in err
    assert f"Opinion #{victim.pk} was altered" in err


def test_audit_verify_detects_a_deleted_opinion(assigned, specialist):
    """R14.2, R14.3: an opinion deleted with the trigger dropped makes verification fail."""
    victim = opinion_write(actor=specialist, document=assigned, text="Sẽ bị xoá.")
    with _as_administrator_without_triggers() as cursor:
        cursor.execute("DELETE FROM workflow_opinion WHERE id = %s", [victim.pk])
    code, _out, err = _verify()
    assert code == 1
    assert f"Opinion #{victim.pk} was deleted" in err


def test_audit_verify_detects_a_forged_author(assigned, specialist, head):
    """R14.2: changing who wrote it (or when) is detected too, not only the text."""
    victim = opinion_write(actor=specialist, document=assigned, text="Ý kiến.")
    with _as_administrator_without_triggers() as cursor:
        cursor.execute("UPDATE workflow_opinion SET author_id = %s WHERE id = %s",
                       [head.pk, victim.pk])
    assert _verify()[0] == 1
