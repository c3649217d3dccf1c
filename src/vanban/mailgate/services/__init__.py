"""Writes of the mail gateway: judging and filing a message, the clerk's rejection and
re-judging, the R10.2 check of a pass."""

from vanban.mailgate.services.checks import mail_check_record
from vanban.mailgate.services.quarantine import quarantine_reject
from vanban.mailgate.services.receive import Outcome, UnknownMailbox, mail_receive
from vanban.mailgate.services.rejudge import quarantine_rejudge

__all__ = ["Outcome", "UnknownMailbox", "mail_check_record", "mail_receive",
           "quarantine_reject", "quarantine_rejudge"]
