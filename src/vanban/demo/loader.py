"""Load the demo province (``vanban demo load``): agencies, units and staff for every role.

Everything goes through the services (so it is audited like any other change) in one
transaction. One random password is made per load and printed once; it is never stored in clear
text and there is no fixed password in the code. Each account gets its own hash with its own
salt at the installation's full work factor (one shared hash would let a cracked hash open every
account at once, and shows which accounts share a password). The hashes are computed in a
thread pool, one worker per processor (the hash function releases the interpreter lock),
running ahead of the account creation.
"""

from __future__ import annotations

import os
import secrets
import string
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Protocol

from django.contrib.auth.hashers import make_password
from django.db import transaction

from vanban.accounts.services import staff_create
from vanban.core.errors import Conflict
from vanban.core.roles import Role
from vanban.demo import data
from vanban.demo.groups import demo_groups_load
from vanban.demo.incoming import demo_answer
from vanban.demo.onestop import demo_onestop_load
from vanban.demo.queues import demo_queues_load
from vanban.demo.staff import staff_plan
from vanban.directory import services as directory
from vanban.directory.models import Agency, Unit
from vanban.exchange.demo import demo_exchange_load
from vanban.signatures.demo import demo_pki_load


class Writer(Protocol):
    """Where the accounts table goes: a command's stdout, a file, a StringIO."""

    def write(self, text: str, /) -> object:
        """Write text."""
        ...


@dataclass(frozen=True)
class DemoAccount:
    """One demo login."""

    username: str
    full_name: str
    roles: tuple[Role, ...]
    agency_code: str
    agency_name: str


@dataclass
class DemoResult:
    """What a demo load created, and the one password of its accounts."""

    password: str
    agencies: int = 0
    units: int = 0
    accounts: list[DemoAccount] = field(default_factory=list)


_TITLES: dict[str, tuple[str, str]] = {
    "province": ("Chủ tịch UBND tỉnh", "Phó Chủ tịch UBND tỉnh"),
    "office": ("Chánh Văn phòng", "Phó Chánh Văn phòng"),
    "department": ("Giám đốc Sở", "Phó Giám đốc Sở"),
    "district": ("Chủ tịch UBND", "Phó Chủ tịch UBND"),
    "commune": ("Chủ tịch UBND", "Phó Chủ tịch UBND"),
}


def new_password() -> str:
    """A random password meeting the policy (upper, lower, digit, symbol; 20 characters)."""
    alphabet = string.ascii_letters + string.digits
    body = "".join(secrets.choice(alphabet) for _ in range(16))
    return (secrets.choice(string.ascii_uppercase) + secrets.choice(string.ascii_lowercase)
            + secrets.choice(string.digits) + "-" + body)


def _load_agency(spec: data.DemoAgency, parents: dict[str, Agency]) -> tuple[Agency, list[Unit]]:
    agency = directory.agency_create(
        actor=None, code=spec.code, name=spec.name, short_name=spec.short_name,
        parent=parents[spec.parent] if spec.parent else None, kind=spec.kind,
        connected=spec.connected, mailbox=f"{spec.slug}@{data.DOMAIN}")
    units = [directory.unit_create(actor=None, agency=agency, code=code, name=name,
                                   short_name=short) for code, name, short in spec.units]
    return agency, units


def _hashes(password: str, count: int, pool: ThreadPoolExecutor) -> Iterator[str]:
    """``count`` hashes of ``password``, each with its own random salt, all submitted to
    ``pool`` now and handed out in order as the accounts are created."""
    futures: list[Future[str]] = [pool.submit(make_password, password) for _ in range(count)]
    return (future.result() for future in futures)


def _load_staff(spec: data.DemoAgency, agency: Agency, units: list[Unit],
                password_hashes: Iterator[str], result: DemoResult) -> None:
    head, deputy = _TITLES[spec.kind]
    for prefix, role, unit_index, position in staff_plan(spec):
        username = f"{prefix}.{spec.slug}"
        full_name = data.person_name(len(result.accounts) + 1)
        staff_create(
            actor=None, agency=agency, username=username, full_name=full_name, roles=[role],
            password_hash=next(password_hashes),
            unit=units[unit_index] if unit_index is not None else None,
            position=position.format(head=head, deputy=deputy),
            mailbox=f"{username}@{data.DOMAIN}")
        result.accounts.append(
            DemoAccount(username, full_name, (role,), agency.code, agency.name))


def _print(result: DemoResult, stdout: Writer) -> None:
    """A short starter list and the password, not every account (``vanban demo accounts
    --all`` lists them)."""
    from vanban.demo.accounts import accounts_table, demo_accounts

    stdout.write(accounts_table(demo_accounts()))
    stdout.write(
        f"\nĐã tạo / created: {result.agencies} cơ quan / agencies, {result.units} đơn vị / "
        f"units, {len(result.accounts)} tài khoản / accounts "
        "(xem tất cả / list all: vanban demo accounts --all).\n"
        f"Mật khẩu chung của mọi tài khoản mẫu / password of every demo account: "
        f"{result.password}\n"
        "Mật khẩu chỉ in một lần; quên thì đặt lại / shown once; if lost, reset it: "
        "vanban demo accounts --reset-password\n"
        "Chỉ dùng để thử nghiệm. / For trying out only.\n")


def demo_load(*, stdout: Writer, if_empty: bool = False) -> DemoResult | None:
    """Build the demo province; refuse (``Conflict``) or, with ``if_empty``, skip when the
    directory already holds agencies, so a second load never mixes with real or demo data."""
    result = DemoResult(password=new_password())
    specs = data.agencies()
    pool = ThreadPoolExecutor(max_workers=os.cpu_count() or 2)
    try:
        hashes = _hashes(result.password, sum(len(staff_plan(s)) for s in specs), pool)
        if not _load_directory(specs, hashes, result, stdout, if_empty=if_empty):
            return None
    finally:
        pool.shutdown(cancel_futures=True)
    # The demo PKI: root, provincial issuing CA, TSA, and a certificate for every connected
    # agency (R21.1), so clerks can sign from the first minute.
    demo_pki_load(agencies=list(Agency.objects.filter(connected=True).order_by("code")))
    # A few documents already exchanged, so a fresh demo has deliveries and evidence to show.
    demo_exchange_load(demo_answer, password=result.password)  # clerks confirm each signature
    demo_onestop_load()  # procedures and dossiers at a Sở's, a district's and a commune's desk
    demo_groups_load()  # recipient groups for the drafting form's picker
    demo_queues_load(password=result.password)  # work in every dashboard queue (issue 13)
    _print(result, stdout)
    return result


def _load_directory(specs: list[data.DemoAgency], hashes: Iterator[str], result: DemoResult,
                    stdout: Writer, *, if_empty: bool) -> bool:
    """Agencies, units and staff in one transaction; False when skipped (``if_empty``)."""
    with transaction.atomic():
        if Agency.objects.exists():
            if if_empty:
                stdout.write("Danh bạ đã có dữ liệu, bỏ qua. / "
                             "The directory is not empty; skipped.\n")
                return False
            raise Conflict(
                "Danh bạ đã có cơ quan; dữ liệu mẫu chỉ nạp vào cơ sở dữ liệu trống.",
                "The directory already has agencies; the demo loads into an empty database "
                "only.", code="demo_not_empty")
        parents: dict[str, Agency] = {}
        for spec in specs:
            agency, units = _load_agency(spec, parents)
            parents[spec.slug] = agency
            result.agencies += 1
            result.units += len(units)
            _load_staff(spec, agency, units, hashes, result)
    return True
