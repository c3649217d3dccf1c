"""Nothing lost, nothing twice (R7.1, R7.2, R14.3): the worker is killed with SIGKILL in the
middle of a fan-out to 1,000 recipients and started again. Every recipient then has exactly one
delivery in its inbox, each with exactly one ``sent`` and one ``received`` evidence record, the
evidence bundles verify with the stand-alone verifier and the audit chain verifies."""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import signal
import time
from typing import Any

import pytest
from django.db import connection
from django.db.models import Count

from vanban.audit import keys
from vanban.audit.verify import verify_database
from vanban.evidence import verifier
from vanban.evidence.models import EvidenceRecord
from vanban.evidence.services import bundle_for
from vanban.exchange import services
from vanban.exchange.core.states import State
from vanban.exchange.models import Delivery, OutboxMessage
from vanban.exchange.tests import crash_worker
from vanban.exchange.tests.conftest import bulk_agencies, ready_document

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
RECIPIENTS = 1000


def _database() -> dict[str, Any]:
    settings = dict(connection.settings_dict)
    settings.pop("TEST", None)
    return settings


def _kill_midway(ctx: Any, database: dict[str, Any]) -> int:
    """Start the worker, SIGKILL it once some (not all) recipients have their copy."""
    process = ctx.Process(target=crash_worker.run_worker, args=(database, False, 5))
    process.start()
    deadline = time.monotonic() + 300
    arrived = 0
    while time.monotonic() < deadline:
        arrived = Delivery.objects.filter(received_at__isnull=False).count()
        if arrived >= 150:
            break
        time.sleep(0.005)
    assert process.pid is not None
    os.kill(process.pid, signal.SIGKILL)
    process.join(30)
    assert process.exitcode == -signal.SIGKILL
    return Delivery.objects.filter(received_at__isnull=False).count()


def test_kill_9_midway_through_a_fan_out_to_1000(clerk, sender):
    """R7.1/R7.2/R14.3: kill -9 mid fan-out, restart: exactly one delivery per recipient,
    complete evidence, bundles and the audit chain verify."""
    recipients = bulk_agencies(RECIPIENTS, prefix="H97")
    document = ready_document(clerk, sender, recipients)
    transmission = services.transmission_send(actor=clerk, document=document)
    ctx = multiprocessing.get_context("spawn")
    database = _database()

    at_kill = _kill_midway(ctx, database)
    assert 0 < at_kill < RECIPIENTS, "the worker must die half-way"
    restart = ctx.Process(target=crash_worker.run_worker, args=(database, True, 100))
    restart.start()
    restart.join(600)
    assert restart.exitcode == 0

    deliveries = Delivery.objects.filter(transmission=transmission)
    assert deliveries.count() == RECIPIENTS
    assert deliveries.values("recipient").distinct().count() == RECIPIENTS
    assert deliveries.filter(state=State.ARRIVED, received_at__isnull=False).count() == RECIPIENTS
    assert not OutboxMessage.objects.filter(done_at__isnull=True).exists()
    per_delivery = (EvidenceRecord.objects.filter(transmission_id=str(transmission.message_id))
                    .values("delivery_id", "event").annotate(n=Count("id")))
    counts = {(row["delivery_id"], row["event"]): row["n"] for row in per_delivery}
    for uid in deliveries.values_list("uid", flat=True):
        assert counts.get((str(uid), "sent")) == 1
        assert counts.get((str(uid), "received")) == 1
    indexes = list(EvidenceRecord.objects.order_by("index").values_list("index", flat=True))
    assert indexes == list(range(len(indexes)))  # gapless: the killed batch left no hole

    sample = random.Random(7).sample(list(deliveries.values_list("uid", flat=True)), 12)
    for uid in sample:
        report = verifier.verify_bundle(json.loads(bundle_for(str(uid))))
        assert report.ok, report.message("en")
        assert [r["event"] for r in report.records] == ["sent", "received"]
    audit = verify_database(public_keys={keys.key_id(): keys.public_key()})
    assert audit.ok, audit.message("en")
