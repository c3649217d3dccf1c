"""Mailboxes of the provincial mail system (R13.1, R20.1): created and disabled by the province
administrator through the provisioning port; the password is shown once and kept sealed for
the gateway, which logs in with it over IMAP and SMTP.

The account is written to the mail system inside the transaction, last: a refusal of the mail
system rolls the row and its audit event back, so vanban never lists a mailbox that does not
exist; the directory (``Agency.mailbox`` / ``User.mailbox``) names the new address.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from vanban.accounts.models import User
from vanban.audit.services import audit_append
from vanban.core import clock
from vanban.core.errors import Conflict, ValidationFailed, forbidden, not_found
from vanban.core.roles import Actor, Role
from vanban.core.secretbox import open_sealed, seal
from vanban.directory.models import Agency
from vanban.mail.models import Mailbox, MailboxKind
from vanban.mail.provisioning import provisioner

PURPOSE = "mail.mailbox"
OBJECT = "mailbox"


@dataclass(frozen=True)
class Created:
    """A new mailbox and its password, which is shown to the administrator this once."""

    mailbox: Mailbox
    password: str


def may_manage(actor: Actor | None) -> bool:
    """The province administrator (or the console) creates and disables mailboxes."""
    return actor is None or actor.has_role(Role.PROVINCE_ADMIN)


def new_password() -> str:
    """A random password of 24 characters (144 bits)."""
    return secrets.token_urlsafe(18)


def _address(raw: str) -> str:
    address = raw.strip()
    try:
        validate_email(address)
        if any(ch in address for ch in ":#"):  # valid in RFC 5322, but they end a passwd-file
            raise ValidationError("field separator")  # field or start a comment
    except ValidationError as err:
        raise ValidationFailed(f"Địa chỉ thư không hợp lệ: {address}",
                               f"Not a valid mail address: {address}",
                               code="mail_address_invalid") from err
    return address.lower()


def _owner_conflict(address: str, agency: Agency, user: User | None) -> None:
    """An address already in the directory for someone else is not given to another owner."""
    others = Agency.objects.filter(mailbox__iexact=address)
    people = User.objects.filter(mailbox__iexact=address)
    if user is None:
        others = others.exclude(pk=agency.pk)
    else:
        people = people.exclude(pk=user.pk)
    if others.exists() or people.exists():
        raise Conflict(f"Địa chỉ {address} đã thuộc về cơ quan hoặc người khác.",
                       f"The address {address} already belongs to another agency or person.",
                       code="mail_address_taken")


def mailbox_create(*, actor: Actor | None, address: str, agency: Agency,
                   user: User | None = None) -> Created:
    """Create the clerk mailbox of ``agency`` (or, with ``user``, that person's own), or give a
    disabled one back with a new password."""
    if not may_manage(actor):
        raise forbidden()
    address = _address(address)
    if user is not None and user.agency_id != agency.pk:
        raise ValidationFailed("Cán bộ không thuộc cơ quan này.",
                               "The staff member does not belong to this agency.",
                               code="mail_owner_mismatch")
    password = new_password()
    with transaction.atomic():
        _owner_conflict(address, agency, user)
        box = Mailbox.objects.select_for_update().filter(address__iexact=address).first()
        if box is not None and box.active:
            raise Conflict(f"Hộp thư {address} đã có.", f"The mailbox {address} exists already.",
                           code="mail_mailbox_exists")
        kind = MailboxKind.PERSONAL if user is not None else MailboxKind.CLERK
        if kind == MailboxKind.CLERK and Mailbox.objects.filter(
                agency=agency, kind=kind, active=True).exists():
            raise Conflict("Cơ quan đã có hộp thư văn thư đang hoạt động.",
                           "The agency already has an active clerk mailbox.",
                           code="mail_clerk_mailbox_exists")
        box = box or Mailbox(address=address)
        box.kind, box.agency, box.user, box.active = kind, agency, user, True
        box.credential = seal(password.encode(), purpose=PURPOSE)
        box.created_at, box.created_by_id = clock.now(), _actor_id(actor)
        box.disabled_at, box.disabled_by_id = None, None
        box.save()
        _directory(address, agency, user)
        audit_append(actor=actor, action="mail.mailbox_created", object_type=OBJECT,
                     object_id=address, agency_code=agency.code,
                     data={"kind": kind.value, "user": user.username if user else ""})
        provisioner().create(address, password)
    return Created(box, password)


def _directory(address: str, agency: Agency, user: User | None) -> None:
    if user is not None:
        User.objects.filter(pk=user.pk).update(mailbox=address)
        user.mailbox = address
    else:
        Agency.objects.filter(pk=agency.pk).update(mailbox=address, updated_at=clock.now())
        agency.mailbox = address


def mailbox_disable(*, actor: Actor | None, mailbox: Mailbox) -> Mailbox:
    """Stop logins to a mailbox (its mail is kept on the server; the gateway stops reading
    and sending with it)."""
    if not may_manage(actor):
        raise forbidden()
    with transaction.atomic():
        box = Mailbox.objects.select_for_update().select_related("agency").get(pk=mailbox.pk)
        if not box.active:
            return box
        box.active = False
        box.disabled_at, box.disabled_by_id = clock.now(), _actor_id(actor)
        box.save(update_fields=["active", "disabled_at", "disabled_by"])
        audit_append(actor=actor, action="mail.mailbox_disabled", object_type=OBJECT,
                     object_id=box.address, agency_code=box.agency.code)
        provisioner().disable(box.address)
    return box


def mailbox_create_for(*, actor: Actor | None, address: str, agency_code: str = "",
                       username: str = "") -> Created:
    """:func:`mailbox_create` for an agency code or a username (the command line)."""
    if username:
        user = User.objects.select_related("agency").filter(username=username).first()
        if user is None or user.agency is None:
            raise not_found("cán bộ", "staff member")
        return mailbox_create(actor=actor, address=address, agency=user.agency, user=user)
    agency = Agency.objects.filter(code=agency_code).first()
    if agency is None:
        raise not_found("cơ quan", "agency")
    return mailbox_create(actor=actor, address=address, agency=agency)


def mailbox_by_address(address: str) -> Mailbox:
    """The mailbox row of an address (any case)."""
    box = (Mailbox.objects.select_related("agency", "user")
           .filter(address__iexact=address.strip()).first())
    if box is None:
        raise not_found("hộp thư", "mailbox")
    return box


def mailboxes() -> list[Mailbox]:
    """Every mailbox, active first."""
    return list(Mailbox.objects.select_related("agency", "user").order_by("-active", "address"))


def mailbox_row(box: Mailbox) -> dict[str, object]:
    """A mailbox as the command line lists it (never its credential)."""
    return {"address": box.address, "kind": box.kind, "agency": box.agency.code,
            "owner": box.user.username if box.user else box.agency.code,
            "active": box.active, "created_at": box.created_at.isoformat(),
            "disabled_at": box.disabled_at.isoformat() if box.disabled_at else None}


def mailbox_credentials(address: str) -> tuple[str, str]:
    """(login, password) of an active mailbox, for the gateway's IMAP and SMTP logins."""
    box = Mailbox.objects.filter(address__iexact=address.strip(), active=True).first()
    if box is None or not box.credential:
        raise not_found("hộp thư đang hoạt động", "active mailbox")
    return box.address, open_sealed(box.credential, purpose=PURPOSE).decode()


def clerk_mailboxes() -> list[Mailbox]:
    """The active clerk mailboxes of this installation's agencies, with their agency."""
    return list(Mailbox.objects.select_related("agency")
                .filter(kind=MailboxKind.CLERK, active=True, agency__installation="")
                .order_by("address"))


def clerk_mailbox_of(agency: Agency) -> Mailbox | None:
    """The agency's active clerk mailbox, if it has one."""
    return Mailbox.objects.filter(agency=agency, kind=MailboxKind.CLERK, active=True).first()


def _actor_id(actor: Actor | None) -> int | None:
    pk = getattr(actor, "pk", None)
    return pk if isinstance(pk, int) else None
