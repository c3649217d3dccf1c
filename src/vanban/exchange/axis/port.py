"""The axis as a port: the operations of the public VDXP SDK, whatever carries them.

``sendEdoc`` (with ``from``, ``servicetype`` eDoc/Status and ``messagetype``),
``getReceivedEdocList``, ``getEdoc``, ``updateStatus`` (done/fail), ``getSentEdocList``,
``getAgenciesList`` and ``registerAgency``. An adapter raises :class:`AxisUnavailable` when a
retry may succeed (gateway down, folder not mounted) and :class:`AxisRefused` when the axis
refused the request for what it is (a retry cannot change it). Pure: no Django.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

ServiceType = Literal["eDoc", "Status"]
AckStatus = Literal["done", "fail"]


class AxisError(Exception):
    """A request to the axis did not succeed."""


class AxisUnavailable(AxisError):
    """The axis (or the gateway, or the spool folder) cannot be reached now: retry later."""


class AxisRefused(AxisError):
    """The axis refused the request for good (malformed, unknown agency, too large)."""


@dataclass(frozen=True)
class ReceivedItem:
    """One message waiting for us on the axis (``getReceivedEdocList``)."""

    id: str
    sender: str = ""          # the ``from`` agency code, when the axis says it
    service_type: str = ""    # "eDoc" or "Status" ("" when the listing does not say)
    message_type: str = ""
    time: str = ""


@dataclass(frozen=True)
class SentItem:
    """One message we sent, as the axis lists it (``getSentEdocList``)."""

    id: str
    service_type: str = ""
    message_type: str = ""
    status: str = ""
    time: str = ""


@dataclass(frozen=True)
class NationalAgency:
    """One agency of the national list (``getAgenciesList``)."""

    code: str
    name: str
    parent: str = ""
    mail: str = ""


class AxisPort(Protocol):
    """What vanban asks of the national axis."""

    def send_edoc(self, body: bytes, *, sender_code: str, service_type: ServiceType,
                  message_type: str, message_id: str = "") -> str:
        """Send an edXML message; returns the axis document id. ``message_id``: our key, so
        that a retry of the same message is deduplicated (never sent twice)."""
        ...

    def received_list(self) -> list[ReceivedItem]:
        """Messages waiting for us (not yet confirmed done or failed)."""
        ...

    def get_edoc(self, item_id: str) -> bytes:
        """The edXML bytes of one waiting message."""
        ...

    def update_status(self, item_id: str, status: AckStatus, reason: str = "") -> None:
        """Confirm a fetched message (``done``) or refuse it (``fail`` with the reason)."""
        ...

    def sent_list(self) -> list[SentItem]:
        """Messages we sent."""
        ...

    def agencies(self) -> list[NationalAgency]:
        """The national agency list."""
        ...

    def register_agency(self, code: str, name: str, parent: str = "") -> None:
        """Register one of our agencies on the axis."""
        ...


def message_type_for(kind: str) -> tuple[ServiceType, str]:
    """The SDK's (servicetype, messagetype) for an outbox kind ("edoc", "status", "revoke")."""
    if kind == "status":
        return "Status", "status"
    if kind == "revoke":
        return "eDoc", "revocation"
    return "eDoc", "edoc"
