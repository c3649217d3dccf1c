"""A verification is bound to the channel its document came through (R4.3, R14.3; ADR 0011):
the record made for this installation's hub is never reused for a copy that came from a peer,
another peer or the paper desk, and a channel that cannot carry the sender fails the sender
check whatever the signature says."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from vanban.audit.models import AuditEvent
from vanban.core import clock
from vanban.signatures import services
from vanban.signatures.models import ArrivalChannel
from vanban.signatures.tests.conftest import make_pdf
from vanban.signatures.verification import (
    Verdict,
    Verification,
    VerificationChannel,
    pdf_verify,
    verification_of,
)
from vanban.storage.services import blob_put

HUB = VerificationChannel.hub()
CAOBANG = VerificationChannel.federated("caobang")
LANGSON = VerificationChannel.federated("langson")


@pytest.fixture
def signed(issued, agency) -> bytes:
    return services.pdf_sign(actor=None, agency=agency, data=make_pdf()).data


def _sender_check(record: Verification) -> dict[str, str]:
    return next(c for c in record.checks if c["code"] == "sender_certificate")


def test_hub_verdict_is_not_reused_for_a_peer_or_paper(signed, agency):
    """R4.3, R14.3: the local agency's file, verified valid on the hub, is looked up afresh when
    the same bytes 'from' the same agency come from a peer: not found, verified again, and
    invalid because a peer cannot carry a local agency's documents. The paper desk gets its own
    record too; the hub's stays and is found again."""
    on_hub = pdf_verify(data=signed, sender=agency, channel=HUB)
    assert on_hub.valid, on_hub.failures()
    assert verification_of(sha256=on_hub.sha256, sender_id=agency.pk, channel=CAOBANG) is None
    from_peer = pdf_verify(data=signed, sender=agency, channel=CAOBANG)
    assert from_peer.pk != on_hub.pk
    assert (from_peer.channel, from_peer.peer) == (ArrivalChannel.FEDERATED, "caobang")
    assert from_peer.verdict == Verdict.INVALID
    assert [c["code"] for c in from_peer.failures()] == ["sender_certificate"]
    assert _sender_check(from_peer)["reason"] == "not_served_by_peer"
    assert "caobang" in _sender_check(from_peer)["en"]
    on_paper = pdf_verify(data=signed, sender=agency, channel=VerificationChannel.paper())
    assert on_paper.pk not in (on_hub.pk, from_peer.pk)
    assert on_paper.valid
    assert pdf_verify(data=signed, sender=agency, channel=HUB).pk == on_hub.pk
    assert verification_of(sha256=on_hub.sha256, sender_id=agency.pk,
                           channel=CAOBANG).pk == from_peer.pk  # type: ignore[union-attr]
    events = AuditEvent.objects.filter(action="signatures.pdf_verify").order_by("seq")
    assert [json.loads(e.data)["channel"] for e in events] == ["hub", "federated:caobang",
                                                               "paper"]


def test_one_peers_verdict_is_not_reused_for_another_peer_or_the_hub(signed, agency):
    """R4.3, R14.3: an agency served by Cao Bằng: valid from Cao Bằng, invalid from Lạng Sơn and
    on this installation's hub (which only carries its own agencies), each its own record."""
    agency.installation = "caobang"
    agency.save(update_fields=["installation"])
    from_caobang = pdf_verify(data=signed, sender=agency, channel=CAOBANG)
    assert from_caobang.valid, from_caobang.failures()
    from_langson = pdf_verify(data=signed, sender=agency, channel=LANGSON)
    assert from_langson.pk != from_caobang.pk
    assert _sender_check(from_langson)["reason"] == "not_served_by_peer"
    on_hub = pdf_verify(data=signed, sender=agency, channel=HUB)
    assert on_hub.pk not in (from_caobang.pk, from_langson.pk)
    assert _sender_check(on_hub)["reason"] == "not_local"
    assert Verification.objects.count() == 3


def test_a_channel_names_its_peer_only_when_federated():
    """ADR 0011: the key is well formed: a peer with the federated channel and only there, and
    ``legacy`` is never asked for."""
    with pytest.raises(ValueError, match="peer"):
        VerificationChannel(ArrivalChannel.FEDERATED)
    with pytest.raises(ValueError, match="peer"):
        VerificationChannel(ArrivalChannel.HUB, "caobang")
    with pytest.raises(ValueError, match="legacy"):
        VerificationChannel(ArrivalChannel.LEGACY)
    assert VerificationChannel.of_origin("") == HUB
    assert VerificationChannel.of_origin("caobang") == CAOBANG
    assert CAOBANG.label == "federated:caobang"


@pytest.mark.django_db(transaction=True)
def test_migration_marks_old_records_legacy_and_they_are_never_reused(make_agency):
    """ADR 0011: records written before channels were kept become ``legacy`` (the command
    line's own become ``cli``); no lookup returns a legacy record, so the next arrival of the
    file is verified again under its real channel."""
    agency = make_agency()
    data = make_pdf(text="Truoc khi ghi kenh")
    blob = blob_put(data=data, content_type="application/pdf")
    executor = MigrationExecutor(connection)
    before = [("signatures", "0002_verification")]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps.get_model("signatures", "Verification")
    now = clock.now()
    hub_row = old.objects.create(blob_id=blob.sha256, sender_id=agency.pk, received_via="hub",
                                 verdict="valid", checks=[], verified_at=now)
    cli_row = old.objects.create(blob_id=blob.sha256, sender_id=make_agency().pk,
                                 received_via="cli", verdict="valid", checks=[], verified_at=now)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    migrated = Verification.objects.get(pk=hub_row.pk)
    assert (migrated.channel, migrated.peer) == (ArrivalChannel.LEGACY, "")
    assert Verification.objects.get(pk=cli_row.pk).channel == ArrivalChannel.CLI
    assert verification_of(sha256=blob.sha256, sender_id=agency.pk, channel=HUB) is None
    fresh = pdf_verify(data=data, sender=agency, channel=HUB)
    assert fresh.pk != hub_row.pk
    assert fresh.channel == ArrivalChannel.HUB
    assert fresh.verdict == Verdict.INVALID  # unsigned: judged now, not taken from the old row
