"""The one-stop desk's printed forms (TT 03/2025/TT-VPCP, Phụ lục I) as PDF bytes.

Each renderer takes one frozen dataclass from :mod:`.data` and needs no database.
"""

from vanban.onestop.printing.control import control_sheet_pdf, timeliness
from vanban.onestop.printing.ledger import ledger_pdf
from vanban.onestop.printing.letters import (
    apology_pdf,
    refusal_pdf,
    stop_notice_pdf,
    supplement_request_pdf,
)
from vanban.onestop.printing.receipt import receipt_pdf
from vanban.onestop.printing.transfer import transfer_slip_pdf

__all__ = ["apology_pdf", "control_sheet_pdf", "ledger_pdf", "receipt_pdf", "refusal_pdf",
           "stop_notice_pdf", "supplement_request_pdf", "timeliness", "transfer_slip_pdf"]
