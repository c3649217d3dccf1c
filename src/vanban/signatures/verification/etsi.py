"""The verdict of a verification in ETSI EN 319 102-1 terms (R4.3, R7.2, R12.1).

A third party (an auditor, a court, another province's software) reads signature validation
results as an *indication* — TOTAL-PASSED, TOTAL-FAILED or INDETERMINATE — with a
*sub-indication* saying why. The project's own checks (:mod:`.checks`) are finer and bilingual;
this module maps them, pure and without Django, so the evidence record of a verification speaks
both languages: ours (check codes and reasons, kept whole) and the standard's.

The rule: the first failing check in the checks' order decides (a hash failure before a chain
problem, as a validator would find them); warnings never fail. Where a failure is final only
when the signing time is *proven* (a time-stamp), a claimed time gives INDETERMINATE with the
"no proof of existence" sub-indication instead, as the standard asks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

TOTAL_PASSED = "TOTAL-PASSED"
TOTAL_FAILED = "TOTAL-FAILED"
INDETERMINATE = "INDETERMINATE"

#: The validation policy the verdict was reached under: the province's rules for an incoming
#: document (R4.2 signer registered to the sender, R4.3 integrity, chain, revocation).
POLICY = "vanban-incoming-signature-policy/1"

_ORDER = ("well_formed", "signature_present", "intact", "coverage", "trusted_chain",
          "validity_period", "not_revoked", "sender_certificate", "signing_time",
          "mark_position")

# reason -> (indication, sub-indication); "?" entries depend on the proof of the signing time.
_BY_REASON: dict[str, tuple[str, str]] = {
    "no_signature": (INDETERMINATE, "FORMAT_FAILURE"),
    "unreadable_signature": (TOTAL_FAILED, "FORMAT_FAILURE"),
    "tampered": (TOTAL_FAILED, "HASH_FAILURE"),
    "bad_signature_value": (TOTAL_FAILED, "SIG_CRYPTO_FAILURE"),
    "modified_after_signing": (INDETERMINATE, "SIG_CONSTRAINTS_FAILURE"),
    "partial_coverage": (INDETERMINATE, "SIG_CONSTRAINTS_FAILURE"),
    "docmdp_violated": (INDETERMINATE, "SIG_CONSTRAINTS_FAILURE"),
    "untrusted": (INDETERMINATE, "NO_CERTIFICATE_CHAIN_FOUND"),
    "not_for_signing": (INDETERMINATE, "CHAIN_CONSTRAINTS_FAILURE"),
    "ca_revoked": (INDETERMINATE, "REVOKED_CA_NO_POE"),
    "revocation_unknown": (INDETERMINATE, "TRY_LATER"),
    "other_agency": (INDETERMINATE, "SIG_CONSTRAINTS_FAILURE"),
    "not_served_by_peer": (INDETERMINATE, "SIG_CONSTRAINTS_FAILURE"),
    "not_local": (INDETERMINATE, "SIG_CONSTRAINTS_FAILURE"),
    "unregistered": (INDETERMINATE, "SIG_CONSTRAINTS_FAILURE"),
    "time_in_future": (INDETERMINATE, "SIG_CONSTRAINTS_FAILURE"),
    "signed_after_moment": (INDETERMINATE, "NO_POE"),
    "bad_timestamp": (INDETERMINATE, "TIMESTAMP_ORDER_FAILURE"),
}
# Final with a proven (time-stamped) signing time, else no proof of existence.
_BY_PROOF: dict[str, tuple[str, str]] = {
    "expired": ("EXPIRED", "OUT_OF_BOUNDS_NO_POE"),
    "not_yet_valid": ("NOT_YET_VALID", "NOT_YET_VALID"),
    "revoked": ("REVOKED", "REVOKED_NO_POE"),
}
# A well-formedness refusal by the PDF intake (reasons of its own): the format is at fault.
_FORMAT = (INDETERMINATE, "FORMAT_FAILURE")
_UNKNOWN = (INDETERMINATE, "SIG_CONSTRAINTS_FAILURE")


@dataclass(frozen=True)
class Indication:
    """An EN 319 102-1 result: the indication, the sub-indication (empty when passed) and the
    check of ours that decided it."""

    indication: str
    sub_indication: str = ""
    decided_by: str = ""
    reason: str = ""

    def as_dict(self) -> dict[str, str]:
        """The form kept in the evidence record."""
        return {"indication": self.indication, "sub_indication": self.sub_indication,
                "decided_by": self.decided_by, "reason": self.reason}


def _position(check: Mapping[str, Any]) -> int:
    code = str(check.get("code", ""))
    return _ORDER.index(code) if code in _ORDER else len(_ORDER)


def indication_of(checks: Iterable[Mapping[str, Any]], *, signed_at_source: str = "") -> \
        Indication:
    """The EN 319 102-1 indication of a verification's stored checks (dicts with ``code``,
    ``status``, ``reason``). ``signed_at_source`` ``"timestamp"`` when the signing time is proven
    by a time-stamp token, which makes expiry and revocation failures final."""
    failures = sorted((c for c in checks if c.get("status") == "fail"), key=_position)
    if not failures:
        return Indication(TOTAL_PASSED)
    first = failures[0]
    code, reason = str(first.get("code", "")), str(first.get("reason", ""))
    if reason in _BY_PROOF:
        final, open_ = _BY_PROOF[reason]
        proven = signed_at_source == "timestamp"
        return Indication(TOTAL_FAILED if proven else INDETERMINATE, final if proven else open_,
                          code, reason)
    if reason in _BY_REASON:
        indication, sub = _BY_REASON[reason]
    elif code == "well_formed":
        indication, sub = _FORMAT
    else:
        indication, sub = _UNKNOWN
    return Indication(indication, sub, code, reason)
