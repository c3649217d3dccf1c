"""The channel a document came through, as part of its verification's key (ADR 0011).

A verification answers "are these bytes, said to come from this agency through this channel,
genuine?". The same bytes and sender through another channel are another question: a peer
replaying a file that a local agency sent through the hub must not inherit the hub's verdict.
So every lookup and every record names its channel, and the sender must be one that channel
may carry: a federated arrival only from an agency the peer serves, a hub arrival only from an
agency this installation serves.
"""

from __future__ import annotations

from dataclasses import dataclass

from vanban.directory.models import Agency
from vanban.signatures.models import ArrivalChannel
from vanban.signatures.verification.checks import Check, Code, failed


@dataclass(frozen=True)
class VerificationChannel:
    """One channel: its kind and, for a federated arrival, the peer installation's id."""

    kind: ArrivalChannel
    peer: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", ArrivalChannel(self.kind))
        if self.kind is ArrivalChannel.LEGACY:
            raise ValueError("legacy records are never looked up nor written")
        if (self.kind is ArrivalChannel.FEDERATED) != bool(self.peer):
            raise ValueError("a peer installation goes with the federated channel, and only")

    @classmethod
    def hub(cls) -> VerificationChannel:
        """This installation's own hub (a local agency sending to a local agency)."""
        return cls(ArrivalChannel.HUB)

    @classmethod
    def federated(cls, peer: str) -> VerificationChannel:
        """Received from the peer installation ``peer``."""
        return cls(ArrivalChannel.FEDERATED, peer)

    @classmethod
    def paper(cls) -> VerificationChannel:
        """A paper document's scan, uploaded by the clerk."""
        return cls(ArrivalChannel.PAPER)

    @classmethod
    def mail(cls) -> VerificationChannel:
        """The official mail gateway (R4.1)."""
        return cls(ArrivalChannel.MAIL)

    @classmethod
    def cli(cls) -> VerificationChannel:
        """An operator's check from the command line (``vanban pdf verify``)."""
        return cls(ArrivalChannel.CLI)

    @classmethod
    def of_origin(cls, origin: str) -> VerificationChannel:
        """The channel of a hub transmission from its ``origin``: empty for this
        installation's hub, else the id of the peer it came from."""
        return cls.federated(origin) if origin else cls.hub()

    @property
    def label(self) -> str:
        """``hub``, ``federated:<peer>``…: how the audit log names it."""
        return f"{self.kind}:{self.peer}" if self.peer else str(self.kind)


def sender_check(channel: VerificationChannel, sender: Agency) -> Check | None:
    """The failed sender check when ``channel`` cannot carry documents from ``sender``; else
    None. Only the hub and the federation know who serves an agency; paper, mail and the
    command line are checked by the signature alone."""
    if channel.kind is ArrivalChannel.FEDERATED and sender.installation != channel.peer:
        return failed(Code.SENDER_CERTIFICATE, "not_served_by_peer", agency=sender.name,
                      peer=channel.peer, detail=f"{sender.code} served by "
                      f"{sender.installation or 'this installation'}")
    if channel.kind is ArrivalChannel.HUB and sender.installation:
        return failed(Code.SENDER_CERTIFICATE, "not_local", agency=sender.name,
                      detail=f"{sender.code} served by {sender.installation}")
    return None
