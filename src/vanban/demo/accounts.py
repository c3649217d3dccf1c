"""``vanban demo accounts [--all] [--reset-password]``: the demo's logins, found again.

The demo password is printed once by ``vanban demo load`` and never stored in clear text, so it
cannot be shown again: ``--reset-password`` gives every demo account a new random one (each with
its own salted hash, as the load does), lifts lockouts and prints it. The starter list is one
clerk, one head and one specialist of a few sample agencies, enough to try every role.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

from django.contrib.auth.hashers import make_password
from django.db import transaction

from vanban.accounts.models import User
from vanban.accounts.services.lockout import clear_login_throttle
from vanban.audit.services import audit_append
from vanban.core import clock
from vanban.core.errors import NotFound
from vanban.core.roles import ROLE_LABELS_VI, Role
from vanban.demo import data
from vanban.demo.staff import staff_plan

# The sample agencies of the starter list: the province, a department, a district, a commune.
SAMPLE_SLUGS = ("ubndt", "stc", "snv", "tpbg", "caugo.yenthe")
STARTER_PREFIXES = ("vt", "ld", "cv1")  # clerk, head, specialist


def demo_usernames() -> list[str]:
    """Every username the demo load creates, in its order."""
    return [f"{prefix}.{spec.slug}" for spec in data.agencies()
            for prefix, _role, _unit, _position in staff_plan(spec)]


def starter_usernames() -> list[str]:
    """One clerk, head and specialist of each sample agency."""
    return [f"{prefix}.{slug}" for slug in SAMPLE_SLUGS for prefix in STARTER_PREFIXES]


def demo_accounts(*, everyone: bool = False) -> list[User]:
    """The demo accounts present in this installation (the starter list unless ``everyone``);
    ``NotFound`` when the demo was never loaded.

    Only accounts of the demo's own fictitious province (agency codes ending in ``H99``) count:
    on a real installation a real person named ``vt.stc`` is never listed nor has the demo
    password set on it."""
    names = demo_usernames() if everyone else starter_usernames()
    found = {u.username: u for u in User.objects.filter(
        username__in=names, agency__code__endswith=f".{data.LEVEL1}")
             .select_related("agency").prefetch_related("roles")}
    if not found:
        raise NotFound("Chưa nạp dữ liệu mẫu: hãy chạy “vanban demo load”.",
                       "The demo is not loaded: run “vanban demo load”.", code="demo_missing")
    return [found[n] for n in names if n in found]


def _role_text(user: User) -> str:
    known = {r.value: r for r in Role}
    return ", ".join(sorted(ROLE_LABELS_VI[known[g.role]] for g in user.roles.all()
                            if g.role in known))


def accounts_table(users: list[User]) -> str:
    """username, role, full name and agency, one account a line."""
    lines = [f"{'Tên đăng nhập / username':<26} {'Vai trò / role':<22} "
             f"{'Họ tên / name':<24} Cơ quan / agency"]
    lines += [f"{u.username:<26} {_role_text(u):<22} {u.full_name:<24} "
              f"{u.agency.name if u.agency else ''}" for u in users]
    return "\n".join(lines) + "\n"


def demo_password_reset(password: str) -> int:
    """Give every demo account ``password`` (own salt each), lift lockouts; one audit event.
    Returns how many accounts were reset."""
    users = demo_accounts(everyone=True)
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        hashes = list(pool.map(make_password, [password] * len(users)))
    now = clock.now()
    with transaction.atomic():
        for user, hashed in zip(users, hashes, strict=True):
            user.password = hashed
            user.password_changed_at = now
            user.must_change_password = False
            user.failed_logins = 0
            user.locked_until = None
            user.save(update_fields=["password", "password_changed_at",
                                     "must_change_password", "failed_logins", "locked_until"])
            clear_login_throttle(user)
        audit_append(actor=None, action="demo.reset_password", object_type="demo",
                     object_id="accounts", data={"accounts": len(users)})
    return len(users)
