"""Writes of the one-stop desk: intake (``intake``), processing (``processing``), code issuance
(``numbering``), the clock applied to dossiers (``timing``), the periodic pass (``sweep``). One
transaction and one audit event per action; one dossier event per transition."""

from vanban.onestop.services.forwarding import dossier_send_to_agency
from vanban.onestop.services.from_agency import dossier_receive_from_agency
from vanban.onestop.services.intake import (
    Acceptance,
    Applicant,
    Paper,
    dossier_accept,
    dossier_add_papers,
    dossier_intake_supplement_received,
    dossier_receive,
    dossier_refuse,
    dossier_request_intake_supplement,
    missing_documents,
)
from vanban.onestop.services.processing import (
    dossier_apologise_and_extend,
    dossier_approve,
    dossier_close_unsupplemented,
    dossier_fee_paid,
    dossier_hand_over,
    dossier_refuse_after_appraisal,
    dossier_request_fee,
    dossier_request_supplement,
    dossier_result_ready,
    dossier_return_result,
    dossier_stop,
    dossier_supplement_received,
    dossier_transfer,
    dossier_withdraw,
    dossiers_close_unsupplemented_due,
)
from vanban.onestop.services.sweep import SweepResult, dossiers_sweep

__all__ = [
    "Acceptance",
    "Applicant",
    "Paper",
    "SweepResult",
    "dossier_accept",
    "dossier_add_papers",
    "dossier_apologise_and_extend",
    "dossier_approve",
    "dossier_close_unsupplemented",
    "dossier_fee_paid",
    "dossier_hand_over",
    "dossier_intake_supplement_received",
    "dossier_receive",
    "dossier_receive_from_agency",
    "dossier_refuse",
    "dossier_refuse_after_appraisal",
    "dossier_request_fee",
    "dossier_request_intake_supplement",
    "dossier_request_supplement",
    "dossier_result_ready",
    "dossier_return_result",
    "dossier_send_to_agency",
    "dossier_stop",
    "dossier_supplement_received",
    "dossier_transfer",
    "dossier_withdraw",
    "dossiers_close_unsupplemented_due",
    "dossiers_sweep",
    "missing_documents",
]
