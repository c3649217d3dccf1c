"""Official mailboxes (R13.1, R20.1) and the provincial DKIM key table (kept here, no DNS)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class MailboxKind(models.TextChoices):
    """Whose mailbox: an agency's clerk (the official one) or one staff member's."""

    CLERK = "clerk", _("Hộp thư văn thư của cơ quan")
    PERSONAL = "personal", _("Hộp thư cá nhân")


class Mailbox(models.Model):
    """A mailbox account of the provincial mail system, created through the provisioning port.

    ``credential`` is the password sealed by ``core.secretbox`` (purpose ``mail.mailbox``): the
    gateway logs in with it over IMAP and SMTP; nobody sees it again after creation.
    """

    address = models.EmailField(max_length=254)
    kind = models.CharField(max_length=10, choices=MailboxKind.choices)
    agency = models.ForeignKey("directory.Agency", on_delete=models.PROTECT,
                               related_name="mailboxes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.PROTECT, related_name="mailboxes")
    active = models.BooleanField(default=True)
    credential = models.TextField(blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ("address",)
        constraints = [  # noqa: RUF012 - Django's own attribute
            models.UniqueConstraint(Lower("address"), name="mail_mailbox_address_unique"),
            models.UniqueConstraint(fields=["agency"], condition=models.Q(
                kind="clerk", active=True), name="mail_one_active_clerk_mailbox"),
        ]

    def __str__(self) -> str:
        return self.address


class DkimKey(models.Model):
    """One published DKIM key of the provincial mail system (``selector._domainkey.domain``).

    The province's own signing keys also keep their private key, sealed (purpose
    ``mail.dkim``); the others are public keys of the agencies' senders, for verification.
    """

    domain = models.CharField(max_length=253)
    selector = models.CharField(max_length=63)
    public_key_pem = models.TextField()
    txt = models.TextField(help_text="The TXT record, as DNS would publish it")
    private_key = models.TextField(blank=True)
    identity_required = models.BooleanField(
        default=True, help_text="Signatures by this key must name the From mailbox (i=); off "
        "only for a server that signs with the domain alone (d=)")
    active = models.BooleanField(default=True)
    added_at = models.DateTimeField()
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    disabled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("domain", "selector")
        constraints = [  # noqa: RUF012 - Django's own attribute
            models.UniqueConstraint(Lower("domain"), Lower("selector"),
                                    name="mail_dkim_domain_selector_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.selector}._domainkey.{self.domain}"

    @property
    def can_sign(self) -> bool:
        """Whether this is one of the province's signing keys."""
        return bool(self.private_key)

    def as_dict(self) -> dict[str, object]:
        """The key as ``vanban mail dkim list --json`` prints it (never the private key)."""
        return {"domain": self.domain, "selector": self.selector, "signs": self.can_sign,
                "identity_required": self.identity_required, "active": self.active,
                "added_at": self.added_at.isoformat(),
                "txt": self.txt}
