"""R14.3: witness cosigning between federated installations. The test installation plays both
sides (its peer row carries its own key), through the real endpoint and Django's test client:
checkpoints are countersigned when they extend the one held, refused (and audited) when they
shrink, fork or do not extend it, and the origin keeps the cosignatures and verifies against
them. Runs on SQLite and on PostgreSQL (``DATABASE_URL``)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client

from vanban.audit import chain, checkpoint, schedule
from vanban.audit import triggers as audit_triggers
from vanban.audit.models import AuditEvent, Cosignature, WitnessedCheckpoint
from vanban.audit.services import audit_append
from vanban.core import clock
from vanban.evidence import services as evidence
from vanban.exchange import identity
from vanban.exchange.models import Peer, Transport
from vanban.exchange.services import witness

pytestmark = pytest.mark.django_db


@pytest.fixture
def peer() -> Peer:
    """This installation as its own witness peer (same id and key on both sides)."""
    now = clock.now()
    return Peer.objects.create(installation_id=identity.installation_id(),
                               base_url="http://testserver",
                               public_key_pem=identity.public_key_pem(), created_at=now,
                               updated_at=now)


def _post(peer: Peer, body: bytes, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
    response = Client().post(witness.WITNESS_PATH, data=body, content_type="application/json",
                             headers={k: v for k, v in headers.items() if k != "Content-Type"})
    return response.status_code, response.json()


def _events(n: int) -> None:
    for i in range(n):
        audit_append(actor=None, action="test.event", data={"i": i})


def _evidence(n: int) -> None:
    for i in range(n):
        evidence.evidence_append(event="sent", at=clock.now(), sender="000.00.01.H06",
                                 recipient="000.00.02.H06", transmission_id=f"t{i}",
                                 delivery_id=f"d{i}", document_sha256="ab" * 32)


def test_push_is_countersigned_and_kept(peer: Peer) -> None:
    """R14.3: both logs pushed; the witness keeps them, the origin keeps valid cosignatures."""
    _events(5)
    _evidence(3)
    assert witness.witness_push_all(post=_post) == {
        f"{peer.installation_id}/audit": True, f"{peer.installation_id}/evidence": True}
    kept = {c.log: c for c in Cosignature.objects.all()}
    assert set(kept) == {"audit", "evidence"}
    assert kept["evidence"].size == 3
    held = {w.log: w for w in WitnessedCheckpoint.objects.all()}
    assert held["audit"].size == kept["audit"].size
    assert AuditEvent.objects.filter(action="witness.cosigned").count() == 2


def test_growing_log_is_proven_consistent(peer: Peer) -> None:
    """R14.3: later pushes carry an RFC 9162 consistency proof from the size held."""
    _events(3)
    _evidence(2)
    assert witness.witness_push(peer, "audit", post=_post)
    assert witness.witness_push(peer, "evidence", post=_post)
    _events(20)
    _evidence(5)
    assert witness.witness_push(peer, "audit", post=_post)
    assert witness.witness_push(peer, "evidence", post=_post)
    sizes = sorted(Cosignature.objects.filter(log="evidence").values_list("size", flat=True))
    assert sizes == [2, 7]
    assert Cosignature.objects.filter(log="audit").count() == 2


def test_rewritten_log_is_refused_and_verify_uses_the_cosigned_checkpoint(peer: Peer) -> None:
    """R14.3: after a rewrite of the audit log (hashes recomputed, seals deleted) the witness
    refuses the next checkpoint, audits the refusal, and ``verify --witness`` names the
    rewrite against the checkpoint it countersigned."""
    _events(6)
    assert witness.witness_push(peer, "audit", post=_post)
    events = list(AuditEvent.objects.order_by("seq"))
    audit_triggers.drop(connection)
    try:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_auditseal")
            prev = events[1].hash
            for event in events[2:]:
                event.action = "forged" if event.seq == 3 else event.action
                new = chain.event_hash(
                    prev_hash=prev, seq=event.seq, at_iso=chain.iso_utc(event.at),
                    actor_id=event.actor_id, actor_username=event.actor_username,
                    agency_code=event.agency_code, action=event.action,
                    object_type=event.object_type, object_id=event.object_id,
                    before_digest=event.before_digest, after_digest=event.after_digest,
                    data=event.data)
                cursor.execute("UPDATE audit_auditevent SET action = %s, prev_hash = %s, "
                               "hash = %s WHERE seq = %s", [event.action, prev, new, event.seq])
                prev = new
            cursor.execute("UPDATE audit_audithead SET hash = %s", [prev])
    finally:
        audit_triggers.install(connection)
    _events(2)
    assert not witness.witness_push(peer, "audit", post=_post)
    assert AuditEvent.objects.filter(action="witness.refused").exists()
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit):
        call_command("audit", "verify", "--witness", peer.installation_id, stdout=out,
                     stderr=err)
    assert "rewritten" in err.getvalue()


def _push_raw(peer: Peer, document: dict[str, Any], *, from_size: int = 0,
              proof: list[str] | None = None) -> tuple[int, dict[str, Any]]:
    claim = witness.Claim("audit", 0, "", "", b"", "", document)
    return witness._send(peer, claim, from_size, proof or [], _post)


def test_shrinking_forking_and_foreign_key_are_refused(peer: Peer) -> None:
    """R14.3: a smaller checkpoint, another one of the same size, one signed by another key
    and one that does not carry a proof from the held size are all refused (409)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from vanban.audit import checkpoints, keys

    _events(4)
    small, _ = checkpoints.checkpoint_make()
    _events(4)
    big, _ = checkpoints.checkpoint_make()
    assert _push_raw(peer, big.as_dict())[0] == 200
    status, answer = _push_raw(peer, small.as_dict())
    assert (status, answer["held_size"]) == (409, big.size)
    fork = checkpoint.Checkpoint(**{**big.__dict__, "head": "00" * 32, "signature": ""})
    fork = checkpoint.Checkpoint(**{**fork.__dict__, "signature": keys.sign(fork.body())})
    assert _push_raw(peer, fork.as_dict())[0] == 409
    other = Ed25519PrivateKey.generate()
    foreign = checkpoint.Checkpoint(**{**big.__dict__, "size": big.size + 1,
                                       "public_key": keys.public_key_pem(other.public_key()),
                                       "key_id": keys.key_id(other.public_key())})
    foreign = checkpoint.Checkpoint(**{**foreign.__dict__, "signature": checkpoint.b64(
        other.sign(foreign.body()))})
    status, answer = _push_raw(peer, foreign.as_dict(), from_size=big.size)
    assert (status, "another key" in answer["detail_en"]) == (409, True)
    _events(3)
    later, _ = checkpoints.checkpoint_make()
    assert _push_raw(peer, later.as_dict(), from_size=big.size)[0] == 409  # no proof
    assert WitnessedCheckpoint.objects.count() == 1


def test_origin_that_forgot_the_held_size_retries_from_it(peer: Peer) -> None:
    """R14.3: the witness names the size it holds; the origin proves from there."""
    from vanban.audit import checkpoints

    _events(5)
    first, _ = checkpoints.checkpoint_make()
    assert _push_raw(peer, first.as_dict())[0] == 200  # held, but no cosignature kept here
    _events(5)
    assert witness.witness_push(peer, "audit", post=_post)
    assert Cosignature.objects.get(log="audit").size > first.size


def test_unsigned_push_is_401(peer: Peer) -> None:
    """R14.3: only a configured peer's signature is believed."""
    response = Client().post(witness.WITNESS_PATH, data=b"{}", content_type="application/json",
                             headers={"X-Vanban-Installation": peer.installation_id,
                                      "X-Vanban-Signature": "AAAA"})
    assert response.status_code == 401


def test_scheduled_tick_pushes(peer: Peer, monkeypatch: pytest.MonkeyPatch) -> None:
    """R14.3: the scheduled moment (``vanban audit checkpoint tick``) pushes to witnesses."""
    monkeypatch.setattr(witness, "_http", _post)
    monkeypatch.setitem(schedule._hooks, "exchange.witnesses",
                        lambda: witness.witness_push_all(post=_post))
    _events(2)
    call_command("audit", "checkpoint", "tick", stdout=io.StringIO())
    assert Cosignature.objects.filter(log="audit").exists()
    out = io.StringIO()
    call_command("audit", "checkpoint", "witnesses", stdout=out)
    assert peer.installation_id in out.getvalue()


def test_push_all_skips_the_axis(peer: Peer) -> None:
    """R14.3: checkpoints go to vanban peers only; an axis peer (no witness endpoint) is never
    posted to, so the tick neither fails nor leaks the log heads to the national gateway."""
    now = clock.now()
    Peer.objects.create(installation_id="vdxp", base_url="", public_key_pem="",
                        transport=Transport.AXIS_SPOOL, settings={"spool": "/nonexistent"},
                        created_at=now, updated_at=now)
    posted: list[str] = []

    def post(target: Peer, body: bytes, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
        posted.append(target.installation_id)
        return _post(target, body, headers)

    _events(1)
    results = witness.witness_push_all(post=post)
    assert set(posted) == {peer.installation_id}
    assert not any(key.startswith("vdxp/") for key in results)


def test_repinned_key_is_accepted(peer: Peer, tmp_path: Any) -> None:
    """R14.3: after the peer moved its seal key (to a token), the witness's operator accepts
    the new key explicitly (audited); the held size and head still bind it."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from vanban.audit import checkpoints, keys

    _events(4)
    held, _ = checkpoints.checkpoint_make()
    assert _push_raw(peer, held.as_dict())[0] == 200
    other = Ed25519PrivateKey.generate()
    moved = checkpoint.Checkpoint(**{**held.__dict__,
                                     "public_key": keys.public_key_pem(other.public_key()),
                                     "key_id": keys.key_id(other.public_key())})
    moved = checkpoint.Checkpoint(**{**moved.__dict__,
                                     "signature": checkpoint.b64(other.sign(moved.body()))})
    assert _push_raw(peer, moved.as_dict())[0] == 409
    pem = tmp_path / "new.pem"
    pem.write_text(keys.public_key_pem(other.public_key()))
    call_command("audit", "checkpoint", "repin", peer.installation_id, "audit", "--key",
                 str(pem), "--reason", "khoá chuyển sang HSM / key moved to an HSM",
                 stdout=io.StringIO())
    assert _push_raw(peer, moved.as_dict())[0] == 200
    assert AuditEvent.objects.filter(action="witness.repinned").count() == 1


def test_push_after_a_hub_key_rotation_keeps_the_old_head(tmp_path: Any) -> None:
    """R14.3, R7.2: right after `vanban evidence rotate-key`, with nothing new to sign, the push
    carries the old key's last head with that key's certificate (nothing is re-signed), and the
    witness answers as for the head it holds."""
    from django.test import override_settings

    from vanban.evidence import hubkey

    with override_settings(KEYS_DIR=tmp_path / "keys"):
        hubkey._cache.clear()
        try:
            peer = Peer.objects.create(  # this installation as its own witness, keys of the test
                installation_id=identity.installation_id(), base_url="http://testserver",
                public_key_pem=identity.public_key_pem(), created_at=clock.now(),
                updated_at=clock.now())
            _evidence(3)
            assert witness.witness_push(peer, "evidence", post=_post)
            call_command("evidence", "rotate-key", stdout=io.StringIO())
            assert witness.witness_push(peer, "evidence", post=_post)
            assert Cosignature.objects.filter(log="evidence", size=3).count() == 2
        finally:
            hubkey._cache.clear()
