"""The outbox worker (``vanban exchange worker``): carries out what sends and status changes
committed, with retries and exponential back-off, exactly once per delivery.

Internal deliveries are claimed and delivered inside one transaction (``FOR UPDATE SKIP LOCKED``
on PostgreSQL, the IMMEDIATE write lock on SQLite): a worker killed half-way rolls back and the
next one does the work again; a delivery already in an inbox is not stored twice (its state is
checked under the row lock). Federated messages are leased (``locked_until``), posted to the peer
outside any transaction, then marked done; the peer acknowledges a repeat without storing it.
"""

from __future__ import annotations

import logging
import os
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q

from vanban.audit.services import audit_append
from vanban.core import clock
from vanban.core.roles import Actor
from vanban.exchange import wire
from vanban.exchange.core import states
from vanban.exchange.models import BusinessType as RowBusinessType
from vanban.exchange.models import Delivery, OutboxKind, OutboxMessage, Peer
from vanban.exchange.services.common import OBJECT_DELIVERY, record, verify_after_commit
from vanban.exchange.services.transports import (
    Answer,
    RunReport,
    outbox_handlers,
    peer_sender,
    register_peer_transport,
)

log = logging.getLogger(__name__)
FEDERATION_PATH = "/exchange/federation/messages/"


def _setting(name: str, default: float) -> float:
    value = getattr(settings, name, None)
    if value is None:
        return float(os.environ.get(name, str(default)))
    return float(value)


def retry_base() -> float:
    """Seconds before the first retry; doubles each time (``VANBAN_EXCHANGE_RETRY_BASE``)."""
    return _setting("VANBAN_EXCHANGE_RETRY_BASE", 5.0)


def retry_cap() -> float:
    """Longest wait between two attempts (``VANBAN_EXCHANGE_RETRY_CAP``)."""
    return _setting("VANBAN_EXCHANGE_RETRY_CAP", 3600.0)


def lease_seconds() -> float:
    """How long a claimed federated message is reserved (``VANBAN_EXCHANGE_LEASE``)."""
    return _setting("VANBAN_EXCHANGE_LEASE", 60.0)


def backoff(attempts: int) -> timedelta:
    """Delay after ``attempts`` failures: base · 2^(attempts-1), capped."""
    return timedelta(seconds=min(retry_base() * 2 ** max(attempts - 1, 0), retry_cap()))


def enqueue_status(*, delivery: Delivery, code: str, reason: str, at: datetime,
                   from_sender: bool, peer: Peer | None = None,
                   actor: Actor | None = None) -> OutboxMessage:
    """Queue a status message for the other installation (caller's transaction).

    The body is built now and kept, so every retry sends the same bytes (the peer's dedup key).
    ``peer``: the other installation's row when the caller has it already; ``actor``: the
    person who caused the status, named in its ``StaffInfo``.
    """
    transmission = delivery.transmission
    installation = (delivery.recipient.installation if from_sender else transmission.origin)
    if peer is None or peer.installation_id != installation:
        peer = Peer.objects.get(installation_id=installation)
    message = OutboxMessage(kind=OutboxKind.STATUS, delivery=delivery, peer=peer,
                            created_at=clock.now(), next_attempt_at=clock.now())
    message.body = wire.status_for(delivery, code=code, reason=reason, at=at,
                                   message_id=str(message.uid), from_sender=from_sender,
                                   actor=actor)
    message.save()
    from vanban.exchange.services.common import wake_worker

    wake_worker()
    return message


def _due(now: datetime) -> Q:
    return Q(done_at__isnull=True, refused_at__isnull=True, next_attempt_at__lte=now) & (
        Q(locked_until__isnull=True) | Q(locked_until__lt=now))


# ---------------------------------------------------------------- internal deliveries


def deliver_internal_batch(*, batch: int = 100) -> int:
    """Claim up to ``batch`` internal messages and put their deliveries in the inboxes, in one
    transaction. Returns how many messages were completed (0: nothing due)."""
    with transaction.atomic():
        now = clock.now()
        messages = list(
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(_due(now), kind=OutboxKind.INTERNAL).order_by("id")[:batch])
        if not messages:
            return 0
        deliveries = {d.pk: d for d in Delivery.objects.select_for_update(of=("self",))
                      .select_related("transmission__sender", "recipient")
                      .filter(pk__in=[m.delivery_id for m in messages])}
        _arrive([deliveries[m.delivery_id] for m in messages if m.delivery_id in deliveries])
        OutboxMessage.objects.filter(pk__in=[m.pk for m in messages]).update(
            done_at=clock.now(), attempts=1)
        return len(messages)


def _arrive(deliveries: list[Delivery]) -> None:
    """The deliveries are stored in the recipients' inboxes and readable once this commits
    (R7.1): one evidence record each, one audit event for the batch (same transaction).

    A delivery no longer ``sent`` is skipped: already there (a repeat), or withdrawn first.
    """
    fresh = [d for d in deliveries if d.state == states.State.SENT]
    if not fresh:
        return
    now = clock.now()
    Delivery.objects.filter(pk__in=[d.pk for d in fresh]).update(
        state=states.State.ARRIVED, received_at=now, status_at=now)
    for delivery in fresh:
        delivery.state = states.State.ARRIVED
        delivery.received_at = delivery.status_at = now
        record(actor=None, event="received", delivery=delivery, at=now, audit=False,
               extra={"code": states.Code.ARRIVED.value})
    verify_after_commit({d.transmission_id for d in fresh})
    audit_append(actor=None, action="exchange.delivery_received", object_type=OBJECT_DELIVERY,
                 object_id=fresh[0].uid, data={
                     "count": len(fresh), "deliveries": [
                         [str(d.uid), d.transmission.sender.code, d.recipient.code]
                         for d in fresh]})


# ---------------------------------------------------------------- federated messages


# The kinds this module carries to peers; other kinds (mail) belong to registered handlers.
_REMOTE = (OutboxKind.EDOC, OutboxKind.STATUS, OutboxKind.REVOKE)


def _claim_remote(batch: int) -> list[OutboxMessage]:
    return outbox_claim(_REMOTE, batch)


def outbox_claim(kinds: tuple[str, ...] | str, batch: int) -> list[OutboxMessage]:
    """Lease up to ``batch`` due messages of ``kinds`` for ``VANBAN_EXCHANGE_LEASE`` seconds:
    a handler carries them outside any transaction, then calls :func:`outbox_done` or
    :func:`outbox_failed` for each (a handler that dies leaves them to the next lease)."""
    kinds = (kinds,) if isinstance(kinds, str) else kinds
    with transaction.atomic():
        now = clock.now()
        messages = list(
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(_due(now), kind__in=kinds).order_by("id")[:batch])
        if messages:
            OutboxMessage.objects.filter(pk__in=[m.pk for m in messages]).update(
                locked_until=now + timedelta(seconds=lease_seconds()))
    return messages


@dataclass(frozen=True)
class _Outgoing:
    """A claimed federated message with its body, ready to post."""

    message: OutboxMessage
    peer: Peer
    body: bytes
    independent: bool  # a new document: may travel beside other new documents
    error: str = ""  # the body could not be built (the message fails like a failed post)


def _bodies(messages: list[OutboxMessage]) -> list[_Outgoing]:
    """The claimed messages with their bodies: peers and deliveries read in two queries, each
    stored file read (and its hash checked) once however many recipients it goes to."""
    peers = Peer.objects.in_bulk({m.peer_id for m in messages if m.peer_id is not None})
    deliveries = (Delivery.objects.select_related(
        "transmission__sender", "transmission__document", "transmission__related", "recipient")
        .in_bulk({m.delivery_id for m in messages if m.kind != OutboxKind.STATUS
                  and m.delivery_id is not None}))
    files: dict[str, bytes] = {}
    out: list[_Outgoing] = []
    for message in messages:
        peer = peers[message.peer_id or 0]
        if message.kind == OutboxKind.STATUS:
            out.append(_Outgoing(message, peer, bytes(message.body), independent=False))
            continue
        revoke = message.kind == OutboxKind.REVOKE
        try:
            delivery = deliveries.get(message.delivery_id or 0)
            if delivery is None:
                raise Delivery.DoesNotExist(f"outbox message {message.uid} has no delivery")
            body = wire.edoc_for(delivery, message_id=str(message.uid), revoke=revoke,
                                 files=files, transport=peer.transport)
        except Exception as err:
            out.append(_Outgoing(message, peer, b"", independent=False,
                                 error=f"{type(err).__name__}: {err}"[:500]))
            continue
        independent = (not revoke
                       and delivery.transmission.business_type == RowBusinessType.NEW)
        out.append(_Outgoing(message, peer, body, independent=independent))
    return out


def _body(message: OutboxMessage) -> bytes:
    """The bytes one federated message sends (as the worker builds them)."""
    item = _bodies([message])[0]
    if item.error:
        raise RuntimeError(item.error)
    return item.body


def _parallel() -> int:
    """How many new documents may be in flight to peers at once (``VANBAN_EXCHANGE_PARALLEL``)."""
    return max(1, int(_setting("VANBAN_EXCHANGE_PARALLEL", 4)))


_clients: dict[int, Any] = {}


def _client() -> Any:
    """One HTTP client per process: keep-alive connections, TLS context built once."""
    import httpx

    client = _clients.get(os.getpid())
    if client is None:
        client = _clients[os.getpid()] = httpx.Client(
            timeout=_setting("VANBAN_EXCHANGE_TIMEOUT", 30.0))
    return client


# Answers a retry cannot change: the peer refused this message for what it is (malformed, an
# agency it does not accept from us, a file its intake refuses, too large). 401 (its key for us
# may be fixed), 408, 409 (a document it has not received yet), 425 and 429 stay retried.
PERMANENT_REFUSALS = frozenset({400, 403, 404, 405, 410, 411, 413, 414, 415, 422})


def federation_post(peer: Peer, body: bytes, kind: str = "edoc") -> Answer:
    """POST to the peer installation, signed with this installation's key, and say how it
    went (the ``"federation"`` transport)."""
    import httpx

    from vanban.exchange.identity import installation_headers

    url = peer.base_url.rstrip("/") + FEDERATION_PATH
    try:
        response = _client().post(url, content=body, headers=installation_headers(body))
    except httpx.HTTPError as err:
        return Answer(False, f"{type(err).__name__}: {err}"[:500])
    if 200 <= response.status_code < 300:
        return Answer(True)
    final = response.status_code in PERMANENT_REFUSALS
    return Answer(False, f"{'refused: ' if final else ''}HTTP {response.status_code}: "
                          f"{response.text[:400]}", final)


register_peer_transport("federation", federation_post)


def _post(peer: Peer, body: bytes, kind: str) -> Answer:
    """Carry one body to the peer through the transport its row names."""
    return peer_sender(peer.transport or "federation")(peer, body, kind)


def _unbuilt(peer: Peer, body: bytes, kind: str) -> Answer:
    """Stands in for the post of a message whose body could not be built."""
    return Answer(False, "the message could not be built")


def send_remote_batch(*, batch: int = 20, report: RunReport) -> int:
    """Post up to ``batch`` due federated messages; a peer that fails is skipped for the rest
    of the batch (its later messages keep their order). Returns how many were attempted.

    New documents are independent of each other: up to ``VANBAN_EXCHANGE_PARALLEL`` of them
    are in flight at once (the peer receives them on several threads while this process builds
    the next bodies). A status, a revocation, an update or a replacement refers to what went
    before it: it waits until everything before it to that peer is answered, then goes alone.

    The successes are marked done together at the end: a worker that dies before that sends
    them again, and the peer acknowledges the repeats without storing them twice.
    """
    messages = _claim_remote(batch)
    down: set[int] = set()
    done: list[OutboxMessage] = []
    if not messages:
        return 0
    outgoing = _bodies(messages)
    _client()  # created before the threads share it
    in_flight: list[tuple[_Outgoing, Future[Answer]]] = []

    def settle() -> None:
        for item, future in in_flight:
            try:
                answer = future.result()
            except Exception as err:
                answer = Answer(False, f"{type(err).__name__}: {err}"[:500])
            if item.error:
                answer = Answer(False, item.error)
            if answer.ok:
                done.append(item.message)
                report.sent += 1
            else:
                down.add(item.peer.pk)
                _failed(item.message, answer)
                report.failed += 1
                report.errors.append(answer.error)
        in_flight.clear()

    try:
        with ThreadPoolExecutor(max_workers=_parallel()) as pool:
            for item in outgoing:
                if not item.independent or len(in_flight) >= _parallel():
                    settle()
                if item.peer.pk in down:
                    OutboxMessage.objects.filter(pk=item.message.pk).update(locked_until=None)
                    continue
                post = _unbuilt if item.error else _post
                in_flight.append((item, pool.submit(post, item.peer, item.body,
                                                    str(item.message.kind))))
                if not item.independent:
                    settle()
            settle()
    finally:
        _done(done)
    return len(messages)


def outbox_done(messages: list[OutboxMessage]) -> None:
    """Mark carried messages done (a handler's successes, together)."""
    _done(messages)


def outbox_failed(message: OutboxMessage, answer: Answer) -> None:
    """One failed attempt: retried after the back-off, or with ``answer.final`` kept as
    refused for good with a ``refused`` evidence record of its delivery."""
    _failed(message, answer)


def _done(messages: list[OutboxMessage]) -> None:
    if not messages:
        return
    with transaction.atomic():
        now = clock.now()
        OutboxMessage.objects.filter(pk__in=[m.pk for m in messages]).update(
            done_at=now, locked_until=None, last_error="", attempts=F("attempts") + 1)
        for message in messages:
            delivery_id = message.delivery_id
            if message.kind != OutboxKind.REVOKE or delivery_id is None:
                continue
            delivery = (Delivery.objects.select_for_update(of=("self",))
                        .select_related("transmission__sender", "recipient")
                        .get(pk=delivery_id))
            if delivery.withdrawn_at is None:
                delivery.withdrawn_at = now
                delivery.save(update_fields=["withdrawn_at"])
                record(actor=None, event="withdrawn", delivery=delivery, at=now,
                       reason=delivery.reason)


def _failed(message: OutboxMessage, answer: Answer) -> None:
    attempts = message.attempts + 1
    now = clock.now()
    error = answer.error
    if answer.final:
        _refused(message, error, attempts=attempts, at=now)
        return
    OutboxMessage.objects.filter(pk=message.pk).update(
        attempts=attempts, locked_until=None, last_error=error[:500],
        next_attempt_at=now + backoff(attempts))
    log.warning("exchange: message %s to peer %s failed (attempt %s): %s", message.uid,
                message.peer_id, attempts, error)


def _refused(message: OutboxMessage, error: str, *, attempts: int, at: datetime) -> None:
    """The peer's final refusal: kept with its reason and no longer retried; a refused
    document is an evidence record of its delivery, so both sides' logs show it."""
    with transaction.atomic():
        OutboxMessage.objects.filter(pk=message.pk).update(
            attempts=attempts, locked_until=None, last_error=error[:500], refused_at=at)
        delivery = None
        if message.kind != OutboxKind.STATUS and message.delivery_id is not None:
            delivery = (Delivery.objects.select_related("transmission__sender", "recipient")
                        .filter(pk=message.delivery_id).first())
        if delivery is not None:
            record(actor=None, event="refused", delivery=delivery, at=at, reason=error[:500],
                   extra={"peer_id": message.peer_id, "outbox": str(message.uid)})
        else:
            audit_append(actor=None, action="exchange.outbox_refused",
                         object_type=OBJECT_DELIVERY, object_id=message.uid,
                         data={"peer_id": message.peer_id, "kind": message.kind,
                               "error": error[:500]})
    log.warning("exchange: peer %s refused message %s for good: %s", message.peer_id,
                message.uid, error)


def outbox_run(*, batch: int = 100, max_rounds: int | None = None) -> RunReport:
    """Work through everything due now (or ``max_rounds`` batches of each kind)."""
    report = RunReport()
    rounds = 0
    while max_rounds is None or rounds < max_rounds:
        rounds += 1
        internal = deliver_internal_batch(batch=batch)
        report.delivered += internal
        sent_before = report.sent
        send_remote_batch(batch=min(batch, 50), report=report)
        _run_handlers(min(batch, 50), report)  # they count what they carried in report.sent
        if internal == 0 and report.sent == sent_before:
            break  # nothing left that is due, or every peer with work is down
    return report


def _run_handlers(batch: int, report: RunReport) -> int:
    """Each registered outbox handler once (mail…); how many messages they attempted. Each adds
    what it carried to ``report.sent`` (and its failures to ``report.failed``); a handler that
    raises is logged and counted as a failure, and the others still run."""
    attempted = 0
    for name, handler in outbox_handlers():
        try:
            attempted += handler(batch, report)
        except Exception as err:
            log.exception("exchange: outbox handler %s failed", name)
            report.failed += 1
            report.errors.append(f"{name}: {type(err).__name__}: {err}"[:500])
    return attempted


def outbox_retry_now(*, actor: Actor | None, message: OutboxMessage) -> None:
    """Make a waiting message due at once (hub admin: after a peer came back)."""
    from vanban.core.errors import forbidden
    from vanban.exchange.services.peers import may_admin

    if not may_admin(actor):
        raise forbidden()
    with transaction.atomic():
        OutboxMessage.objects.filter(pk=message.pk, done_at__isnull=True).update(
            next_attempt_at=clock.now(), locked_until=None, refused_at=None)
        audit_append(actor=actor, action="exchange.outbox_retry",
                     object_type=OBJECT_DELIVERY, object_id=message.uid)
