"""The rows behind every API list benchmark (issue 15): one agency's million outgoing
documents and, beside them, what such an agency accumulates, bulk-loaded then analysed.

Sizes (``count`` documents, default 1,000,000): ``count // 10`` transmissions sent (one per
registered document, each delivered to another agency), ``count // 10`` deliveries received
(a tenth of them still waiting for the clerk) and as many lines in this year's incoming
register, ``count // 10`` open assignment lines (half held by the specialist in person, half
through the unit), ``count // 100`` work files, ``count`` audit events (nine in ten the
agency's), ``count // 10`` evidence records (two per delivery: sent and arrived), 1,000 other
agencies, 50 units, 500 staff, 50 API tokens and 1,000 role requests.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

BATCH = 20_000
AGENCIES = 1_000
UNITS = 50
STAFF = 500
TOKENS = 50
ROLE_REQUESTS = 1_000


@dataclass
class World:
    """The users each list is read as, and how many rows were loaded."""

    clerk: Any
    head: Any
    specialist: Any
    fill_s: float = 0.0
    rows: dict[str, int] = field(default_factory=dict)


def _batches(model: Any, make: Any, count: int) -> None:
    """``count`` rows of ``model`` made by ``make(n)``, inserted ``BATCH`` at a time (the
    instances of one batch are dropped before the next is made); prints how long it took."""
    started = time.perf_counter()
    for first in range(0, count, BATCH):
        model.objects.bulk_create([make(n) for n in range(first, min(first + BATCH, count))])
    print(f"  {model.__name__}: {count} rows in {time.perf_counter() - started:.0f} s",
          flush=True)


def fill(count: int) -> World:  # noqa: PLR0915 - one straight load, table after table
    """Load the world (see the module's docstring); ``ANALYZE`` as autovacuum would."""
    from django.db import connection

    from vanban.accounts.models import ApiToken, RoleGrant, RoleRequest, User
    from vanban.audit.models import AuditEvent
    from vanban.core import clock
    from vanban.core.roles import Role
    from vanban.directory.models import Agency, Unit
    from vanban.evidence.models import EvidenceRecord
    from vanban.exchange.models import Delivery, Transmission
    from vanban.incoming.models import IncomingDocument, IncomingState
    from vanban.registry.models import Document, DocumentState, Register
    from vanban.signatures.models import Verification
    from vanban.storage.models import Blob
    from vanban.workflow.models import Assignment, AssignmentLine, LineRole, WorkFile

    started = time.perf_counter()
    now = clock.now()
    tenth = max(1, count // 10)
    agency = Agency.objects.create(code="000.00.01.H99", name="Sở Nội vụ", short_name="SNV",
                                   created_at=now, updated_at=now)
    Agency.objects.bulk_create([
        Agency(code=f"000.{n // 100:02d}.{n % 100:02d}.H98", name=f"Cơ quan {n}",
               short_name=f"CQ{n}", created_at=now, updated_at=now) for n in range(AGENCIES)])
    others = list(Agency.objects.exclude(pk=agency.pk).order_by("pk"))
    Unit.objects.bulk_create([Unit(agency=agency, code=f"P{n:02d}", name=f"Phòng {n}",
                                   created_at=now) for n in range(UNITS)])
    unit = Unit.objects.filter(agency=agency).order_by("pk").first()

    def user(name: str, *roles: str) -> Any:
        made = User.objects.create(username=name, full_name=name, agency=agency, unit=unit,
                                   password_changed_at=now)
        for role in roles:
            RoleGrant.objects.create(user=made, role=role, granted_at=now)
        return made

    clerk = user("vt.bench", Role.CLERK)
    head = user("gd.bench", Role.HEAD)
    specialist = user("cv.bench", Role.SPECIALIST)
    User.objects.bulk_create([User(username=f"cb{n:04d}", full_name=f"Cán bộ {n}", agency=agency,
                                   unit=unit, password_changed_at=now) for n in range(STAFF)])
    staff = list(User.objects.filter(username__startswith="cb").order_by("pk"))
    RoleRequest.objects.bulk_create([
        RoleRequest(user=staff[n % STAFF], role=(Role.CLERK, Role.DELEGATE)[n // STAFF % 2],
                    requested_by=head,
                    requested_at=now - timedelta(minutes=n)) for n in range(ROLE_REQUESTS)])
    ApiToken.objects.bulk_create([
        ApiToken(user=clerk, digest=hashlib.sha256(f"t{n}".encode()).hexdigest(),
                 prefix=f"vbt_{n:04d}", created_at=now, expires_at=now + timedelta(days=90))
        for n in range(TOKENS)])

    _batches(Document, lambda n: Document(
        agency=agency, type_code="cong_van", subject=f"Công văn thử số {n}",
        state=DocumentState.REGISTERED if n % 10 == 0 else DocumentState.DRAFT,
        created_at=now, updated_at=now), count)
    registered = list(Document.objects.filter(agency=agency, state=DocumentState.REGISTERED)
                      .order_by("pk").values_list("pk", flat=True)[:tenth])
    digest = "0" * 64
    sent_at = [now - timedelta(seconds=tenth - n) for n in range(tenth)]
    _batches(Transmission, lambda n: Transmission(
        document_id=registered[n % len(registered)], sender=agency, edxml_document_id=f"o{n}",
        subject=f"Công văn thử số {n}", file_sha256=digest, sent_at=sent_at[n]), tenth)
    # Verified on arrival (as the hub does): one verdict per sender for the shared file.
    Blob.objects.create(sha256=digest, size=1, content_type="application/pdf", created_at=now)
    Verification.objects.bulk_create([
        Verification(blob_id=digest, sender=other, path="signature", channel="hub",
                     received_via="hub", verdict="valid", verified_at=now) for other in others])
    verdicts = dict(Verification.objects.values_list("sender_id", "pk"))
    _batches(Transmission, lambda n: Transmission(
        sender=others[n % len(others)], edxml_document_id=f"i{n}", subject=f"Văn bản đến {n}",
        file_sha256=digest, sent_at=sent_at[n],
        verification_id=verdicts[others[n % len(others)].pk]), tenth)
    outgoing = list(Transmission.objects.filter(sender=agency).order_by("pk")
                    .values_list("pk", flat=True))
    incoming = list(Transmission.objects.exclude(sender=agency).order_by("pk")
                    .values_list("pk", flat=True))
    _batches(Delivery, lambda n: Delivery(
        transmission_id=outgoing[n], recipient=others[n % len(others)], channel="internal",
        state="03", sent_at=sent_at[n], received_at=sent_at[n]), tenth)
    _batches(Delivery, lambda n: Delivery(
        transmission_id=incoming[n], recipient=agency, channel="internal",
        state="01" if n % 10 == 0 else "03", sent_at=sent_at[n], received_at=sent_at[n]),
        tenth)

    register = Register.objects.create(agency=agency, year=now.year, series="den",
                                       kind=Register.KIND_INCOMING, created_at=now)
    states = [IncomingState.REGISTERED, IncomingState.ASSIGNED, IncomingState.PROCESSING,
              IncomingState.COMPLETED]
    _batches(IncomingDocument, lambda n: IncomingDocument(
        agency=agency, register=register, arrival_number=n + 1, arrival_date=now.date(),
        received_at=sent_at[n], source="paper", issuer=others[n % len(others)],
        issuer_name=f"Cơ quan {n % AGENCIES}", subject=f"Văn bản đến {n}",
        state=states[n % 4], registered_by=clerk, registered_at=sent_at[n],
        recipient_unit=unit), tenth)
    documents = list(IncomingDocument.objects.filter(agency=agency).order_by("pk")
                     .values_list("pk", flat=True))
    _batches(Assignment, lambda n: Assignment(incoming_id=documents[n], assigned_by=head,
                                              assigned_at=sent_at[n]), tenth)
    assignments = list(Assignment.objects.order_by("pk").values_list("pk", "incoming_id"))
    _batches(AssignmentLine, lambda n: AssignmentLine(
        assignment_id=assignments[n][0], incoming_id=assignments[n][1], role=LineRole.LEAD,
        user=specialist if n % 2 == 0 else None, unit=None if n % 2 == 0 else unit,
        deadline=(now + timedelta(days=n % 30)).date()), tenth)
    _batches(WorkFile, lambda n: WorkFile(
        agency=agency, year=now.year, notation=f"HS{n:06d}", title=f"Hồ sơ {n}",
        creator=clerk, creator_name="Văn thư", unit=unit, start_date=now.date(),
        created_at=now), max(1, count // 100))
    first_seq = (AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
                 or 0) + 1
    _batches(AuditEvent, lambda n: AuditEvent(
        seq=first_seq + n, at=now, actor_username="vt.bench",
        agency_code=agency.code if n % 10 else others[n % len(others)].code,
        action="document.view", object_type="registry.document", object_id=str(n),
        prev_hash=digest, hash=digest), count)
    _batches(EvidenceRecord, lambda n: EvidenceRecord(
        index=n, event="sent" if n % 2 == 0 else "arrived", at=now, logged_at=now,
        sender=agency.code if n % 4 < 2 else others[n % len(others)].code,
        recipient=others[n % len(others)].code if n % 4 < 2 else agency.code,
        transmission_id=str(uuid.UUID(int=n // 2)), delivery_id=str(uuid.UUID(int=n // 2)),
        canonical=b"{}", leaf_hash=digest), tenth)
    with connection.cursor() as cursor:
        # The chain's head follows the loaded events, so later appends continue it.
        cursor.execute("INSERT INTO audit_audithead (id, seq, hash) VALUES (1, %s, %s) "
                       "ON CONFLICT (id) DO UPDATE SET seq = EXCLUDED.seq, hash = EXCLUDED.hash",
                       [first_seq + count - 1, digest])
        cursor.execute("ANALYZE")  # what autovacuum does after a bulk load
    tables = {"documents": count, "transmissions": tenth, "deliveries received": tenth,
              "incoming register lines": tenth, "assignment lines": tenth,
              "work files": max(1, count // 100), "audit events": count,
              "evidence records": tenth}
    return World(clerk, head, specialist, time.perf_counter() - started, tables)
