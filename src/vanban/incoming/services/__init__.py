"""Writes of the incoming register: verification as the clerk sees it (R4.2, R4.3),
registration of deliveries and paper documents (R5.1, R10.1), rejection with a reason."""

from vanban.incoming.services.paper import PaperInput, incoming_register_paper
from vanban.incoming.services.register import incoming_register_delivery, incoming_reject
from vanban.incoming.services.verify import incoming_verify, verifications_for

__all__ = [
    "PaperInput",
    "incoming_register_delivery",
    "incoming_register_paper",
    "incoming_reject",
    "incoming_verify",
    "verifications_for",
]
