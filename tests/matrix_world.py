"""The small province the permission matrix is tried on (tests/test_permission_matrix.py).

Agency X (Sở Tài chính) has one staff member per agency role, a specialist who holds a work
line (``holder``), an outgoing document registered with its file, an incoming document assigned
to the holder's unit, a delivery waiting in its inbox, a sent transmission and a work file.
Agency Y (Sở Y tế) has one person holding every agency role (``other``: if the union of roles is
refused, each role is), and the province administrator sits in the province's own agency.
Everything is made through the services, as in production.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from vanban.accounts.models import RoleGrant, User
from vanban.core import clock
from vanban.core.roles import Role
from vanban.directory.models import Agency, AgencyKind, Unit

PASSWORD = "Mật-khẩu-Ma-trận-2026"
AGENCY_ROLES = tuple(r for r in Role if r is not Role.PROVINCE_ADMIN)
# Who tries every address: each agency role of X, the holder of a line, the province
# administrator, every role of another agency at once, and nobody signed in.
ACTORS = (*[r.value for r in AGENCY_ROLES], "holder", "province_admin", "other", "anonymous")


def pdf(text: str = "Matrix") -> bytes:
    """A one-page PDF."""
    buffer = io.BytesIO()
    sheet = canvas.Canvas(buffer, pagesize=A4)
    sheet.drawString(72, 720, text)
    sheet.showPage()
    sheet.save()
    return buffer.getvalue()


@dataclass
class World:
    """Ids the addresses are filled with, and the people who try them."""

    ids: dict[str, Any] = field(default_factory=dict)
    people: dict[str, User | None] = field(default_factory=dict)


def _agency(code: str, name: str, short: str, *, parent: Agency | None = None,
            kind: str = AgencyKind.DEPARTMENT) -> Agency:
    now = clock.now()
    return Agency.objects.create(code=code, name=name, short_name=short, parent=parent,
                                 kind=kind, connected=True, created_at=now, updated_at=now,
                                 mailbox=f"vanthu@{short.lower()}.matrix.invalid")


def _user(agency: Agency, username: str, roles: tuple[Role, ...],
          unit: Unit | None = None) -> User:
    user = User(username=username, full_name=username, agency=agency, unit=unit,
                password_changed_at=clock.now())
    user.set_password(PASSWORD)
    user.save()
    for role in roles:
        RoleGrant.objects.create(user=user, role=role, granted_at=clock.now())
    return user


def _people(world: World, province: Agency, x: Agency, y: Agency, unit: Unit) -> None:
    for role in AGENCY_ROLES:
        world.people[role.value] = _user(x, f"{role.value}.x", (role,))
    world.people["holder"] = _user(x, "holder.x", (Role.SPECIALIST,), unit=unit)
    world.people["province_admin"] = _user(province, "admin.p", (Role.PROVINCE_ADMIN,))
    world.people["other"] = _user(y, "all.y", AGENCY_ROLES)
    world.people["anonymous"] = None
    target = _user(x, "target.x", (Role.SPECIALIST,), unit=unit)
    world.ids["staff"] = target.pk
    _accounts(world, target)


def _accounts(world: World, target: Any) -> None:
    """A clerk role the IT officer asked for the target (pending the head's approval) and an
    API token of the clerk: the approval and revocation actions act on real rows."""
    from vanban.accounts.models import RoleRequest
    from vanban.accounts.services.tokens import api_token_create

    world.ids["role_request"] = RoleRequest.objects.create(
        user=target, role=Role.CLERK.value, requested_by=world.people[Role.IT_OFFICER.value],
        requested_at=clock.now()).pk
    clerk = world.people[Role.CLERK.value]
    assert clerk is not None
    world.ids["token"] = api_token_create(user=clerk, ip="127.0.0.1").record.pk


def _outgoing(world: World, x: Agency, y: Agency) -> None:
    from vanban.exchange import services as exchange
    from vanban.registry import services as registry

    clerk = world.people[Role.CLERK.value]

    def drafted(subject: str) -> Any:
        return registry.document_create(
            actor=clerk, agency=x, type_code="cong_van", subject=subject, place="Bắc Giang",
            competence="KT.", position="PHÓ GIÁM ĐỐC", full_name="Nguyễn Văn Ánh",
            recipients=[registry.RecipientInput(agency=y)])

    world.ids["draft"] = drafted("Dự thảo ma trận").pk
    document = registry.document_register(actor=clerk, document=drafted("Văn bản ma trận"))
    world.ids["file"] = registry.document_upload(actor=clerk, document=document,
                                                 main=[pdf()], filename="a.pdf").pk
    world.ids["document"] = document.pk
    sent = registry.document_register(actor=clerk, document=drafted("Văn bản đã gửi"))
    registry.document_upload(actor=clerk, document=sent, main=[pdf("Sent")], filename="b.pdf")
    registry.document_sign(actor=None, document=sent)  # the console signs without a step-up
    sent = registry.document_mark_ready(actor=clerk, document=sent)
    transmission = exchange.transmission_send(actor=clerk, document=sent)
    exchange.outbox_run()
    world.ids["sent_document"] = sent.pk
    world.ids["transmission"] = transmission.message_id
    world.ids["transmission_uid"] = transmission.message_id
    world.ids["sent_delivery"] = transmission.deliveries.get().uid


def _arrival(world: World, x: Agency, y: Agency) -> None:
    from vanban.exchange import services as exchange
    from vanban.registry import services as registry

    clerk_y = world.people["other"]
    document = registry.document_create(
        actor=clerk_y, agency=y, type_code="cong_van", subject="Văn bản đến ma trận",
        place="Bắc Giang", competence="KT.", position="GIÁM ĐỐC", full_name="Trần Văn Bình",
        recipients=[registry.RecipientInput(agency=x)])
    document = registry.document_register(actor=clerk_y, document=document)
    registry.document_upload(actor=clerk_y, document=document, main=[pdf("In")],
                             filename="c.pdf")
    document = registry.document_mark_ready(actor=clerk_y, document=document)
    transmission = exchange.transmission_send(actor=clerk_y, document=document)
    exchange.outbox_run()
    world.ids["delivery"] = transmission.deliveries.get().uid


def _incoming(world: World, x: Agency, unit: Unit) -> None:
    from vanban.incoming.services import incoming_register_paper
    from vanban.workflow.models import LineRole
    from vanban.workflow.services import (
        LineInput,
        WorkFileInput,
        assignment_create,
        work_file_add,
        work_file_create,
    )

    clerk, head = world.people[Role.CLERK.value], world.people[Role.HEAD.value]
    assert head is not None
    entry = incoming_register_paper(actor=clerk, data=[pdf("Paper")], subject="Giấy đến",
                                    issuer_name="Bộ Tài chính", code_number="1",
                                    code_notation="BTC")
    assignment = assignment_create(actor=head, document=entry,
                                   lines=[LineInput(role=LineRole.LEAD, unit=unit)])
    world.ids["incoming"] = entry.pk
    world.ids["page"] = 1  # the first page image of a file (the document viewer)
    from vanban.directory.groups import recipient_group_save

    world.ids["recipient_group"] = recipient_group_save(
        actor=None, group=None, name="Nhóm ma trận", members=[x]).pk
    world.ids["line"] = assignment.lines.get().pk
    work_file = work_file_create(actor=head, data=WorkFileInput(
        notation="01", title="Hồ sơ ma trận", retention_years=5))
    world.ids["work_file"] = work_file.pk
    world.ids["item"] = work_file_add(actor=head, work_file=work_file, incoming=entry).pk


def _quarantined_mail(world: World, x: Agency, y: Agency) -> None:
    """A message from Y's mailbox without a DKIM signature, kept in X's quarantine."""
    from email.message import EmailMessage

    from vanban.mailgate.services import mail_receive

    message = EmailMessage()
    message["From"], message["To"] = y.mailbox, x.mailbox
    message["Subject"], message["Message-ID"] = "Thư ma trận", "<ma-tran@syt.matrix.invalid>"
    message.set_content("Thư không có chữ ký DKIM.")
    message.add_attachment(pdf("Mail"), maintype="application", subtype="pdf", filename="m.pdf")
    world.ids["mail_message"] = mail_receive(raw=bytes(message), mailbox=x.mailbox).message.uid


def build_world() -> World:
    """Make the province (inside the test's database transaction)."""
    from vanban.signatures.demo import demo_pki_load
    from vanban.signatures.models import CertificateAuthority

    world = World()
    province = _agency("000.00.00.H06", "UBND tỉnh Bắc Giang", "UBND", kind=AgencyKind.PROVINCE)
    x = _agency("000.00.03.H06", "Sở Tài chính", "STC", parent=province)
    y = _agency("000.00.04.H06", "Sở Y tế", "SYT", parent=province)
    unit = Unit.objects.create(agency=x, code="QLNS", name="Phòng Quản lý ngân sách",
                               short_name="QLNS", created_at=clock.now())
    world.ids.update(agency=x.code, other_agency=y.code, unit=unit.pk, year=clock.now().year)
    _people(world, province, x, y, unit)
    demo_pki_load(agencies=[x])
    world.ids["ca"] = CertificateAuthority.objects.order_by("pk").first().pk  # type: ignore[union-attr]
    from vanban.signatures.models import AgencyCertificate

    world.ids["certificate"] = AgencyCertificate.objects.get(agency=x).pk
    _outgoing(world, x, y)
    _arrival(world, x, y)
    _incoming(world, x, unit)
    _mail(world, x)
    _quarantined_mail(world, x, y)
    return world


def _mail(world: World, x: Agency) -> None:
    """X's clerk mailbox (provisioned into a passwd-file of its own, then gone) and a DKIM key
    of the table: the disable actions act on real rows."""
    import shutil
    import tempfile

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from django.test import override_settings

    from vanban.mail.dkim import dkim_key_add
    from vanban.mail.services import mailbox_create

    folder = tempfile.mkdtemp(prefix="vanban-matrix-mail-")
    try:
        with override_settings(VANBAN_MAIL_PROVISIONER="dovecot",
                               VANBAN_MAIL_PASSWD_FILE=f"{folder}/passwd"):
            box = mailbox_create(actor=None, address=x.mailbox, agency=x).mailbox
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    world.ids["mailbox"] = box.pk
    public = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    pem = public.public_bytes(serialization.Encoding.PEM,
                              serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    world.ids["dkim_key"] = dkim_key_add(actor=None, domain="stc.matrix.invalid",
                                         selector="s1", public_pem=pem).pk
