"""``vanban cert register|issue|renew|revoke|list|crl|certify-hub|certify-seal``: agency
certificates, the CRLs of the provincial CAs (R21.1), and the provincial CA's certificates of the
evidence hub key (``certify-hub``, docs/evidence.md) and of the audit seal key
(``certify-seal``, docs/adr/0010)."""

from __future__ import annotations

import json
import os
from argparse import ArgumentParser
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from vanban.core import clock
from vanban.signatures import pki, selectors, services
from vanban.signatures.management.commands._base import SignaturesCommand
from vanban.signatures.models import AgencyCertificate, CertStatus
from vanban.signatures.services.certificates import DEFAULT_VALID_DAYS


def _register_args(sub: Any) -> None:
    reg: ArgumentParser = sub.add_parser(
        "register", help="Đăng ký chứng thư cấp ở nơi khác / register a certificate")
    reg.add_argument("--agency", required=True, help="mã định danh cơ quan / agency code")
    reg.add_argument("cert", type=Path, help="CERT.pem (+ intermediate CAs)")
    reg.add_argument("--key", type=Path, help="KEY.pem (kept as an encrypted PKCS#12)")
    reg.add_argument("--key-password-env", metavar="VAR",
                     help="biến môi trường chứa mật khẩu khóa / env var with the key password")
    reg.add_argument("--pkcs11-module", help="e.g. /usr/lib/softhsm/libsofthsm2.so")
    reg.add_argument("--token-label")
    reg.add_argument("--key-label")
    reg.add_argument("--pin-env", metavar="VAR", help="biến môi trường chứa PIN / PIN env var")
    reg.add_argument("--pin-file", type=Path, help="tệp chứa PIN / file holding the PIN")


class Command(SignaturesCommand):
    help = "Chứng thư số của cơ quan / Agency certificates."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        _register_args(sub)
        for name, text in (("issue", "Cấp chứng thư mới / issue a certificate"),
                           ("renew", "Gia hạn (khóa mới) / renew with a new key"),
                           ("revoke", "Thu hồi / revoke")):
            cmd = sub.add_parser(name, help=text)
            cmd.add_argument("--agency", required=True)
            if name != "revoke":
                cmd.add_argument("--days", type=int, default=DEFAULT_VALID_DAYS,
                                 help="thời hạn (ngày) / validity in days")
            else:
                cmd.add_argument("--reason", default="unspecified", choices=sorted(pki.REASONS))
        crl = sub.add_parser("crl", help="Phát hành lại CRL sắp hết hạn / republish CRLs due")
        crl.add_argument("--within", type=int, default=7, metavar="DAYS",
                         help="CRL hết hạn trong DAYS ngày / next update within DAYS")
        hub = sub.add_parser("certify-hub", help="CA tỉnh chứng nhận khoá hub bằng chứng / the "
                                                 "provincial CA certifies the evidence hub key")
        hub.add_argument("--days", type=int, default=5 * 365,
                         help="thời hạn (ngày) / validity in days")
        seal = sub.add_parser("certify-seal", help="CA tỉnh chứng nhận khoá niêm phong nhật ký "
                                                   "kiểm toán / the provincial CA certifies the "
                                                   "audit seal key")
        seal.add_argument("--days", type=int, default=5 * 365,
                          help="thời hạn (ngày) / validity in days")
        lst = sub.add_parser("list", help="Liệt kê / list")
        lst.add_argument("--json", action="store_true")
        lst.add_argument("--expiring", type=int, metavar="DAYS",
                         help="chỉ chứng thư hết hạn trong DAYS ngày / expiring within DAYS")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "list":
            self._list(as_json=options["json"], expiring=options["expiring"])
            return
        if action == "certify-hub":
            from vanban.signatures.services.hubcert import hub_certify

            hub = hub_certify(actor=None, days=options["days"])
            self.stdout.write(f"certify-hub: sha256={hub.fingerprint} root sha256="
                              f"{pki.fingerprint(hub.chain[-1])}")
            return
        if action == "certify-seal":
            from vanban.signatures.services.hubcert import seal_certify

            seal = seal_certify(actor=None, days=options["days"])
            self.stdout.write(f"certify-seal: key {seal.key_id} sha256={seal.fingerprint} root "
                              f"sha256={pki.fingerprint(seal.chain[-1])}")
            return
        if action == "crl":
            for ca in services.crl_refresh_due(within=timedelta(days=options["within"])):
                self.stdout.write(f"crl: {ca.name} #{ca.crl_number} "
                                  f"next_update={ca.crl_next_update:%Y-%m-%d %H:%M}")
            return
        agency = self.agency(options["agency"])
        if action == "register":
            row = self._register(agency, options)
        elif action == "issue":
            row = services.certificate_issue(actor=None, agency=agency, valid_days=options["days"])
        elif action == "renew":
            row = services.certificate_renew(actor=None, certificate=self._current(agency),
                                             valid_days=options["days"])
        else:
            row = services.certificate_revoke(actor=None, certificate=self._current(agency),
                                              reason=options["reason"])
        self.stdout.write(f"{action}: {agency.code} #{row.serial} {row.status} "
                          f"{row.not_after:%d/%m/%Y} sha256={row.fingerprint}")

    @staticmethod
    def _current(agency: Any) -> AgencyCertificate:
        row = (AgencyCertificate.objects.filter(agency=agency, status=CertStatus.ACTIVE)
               .order_by("-not_after").first())
        if row is None:
            raise CommandError(f"{agency.code}: không có chứng thư còn hiệu lực | no active "
                               "certificate", returncode=1)
        return row

    def _register(self, agency: Any, options: dict[str, Any]) -> AgencyCertificate:
        pkcs11 = None
        if options["pkcs11_module"]:
            if not (options["token_label"] and options["key_label"]) or not (
                    options["pin_env"] or options["pin_file"]):
                raise CommandError("--pkcs11-module cần --token-label, --key-label và --pin-env "
                                   "hoặc --pin-file | needs --token-label, --key-label and "
                                   "--pin-env or --pin-file", returncode=2)
            pin_ref = (f"env:{options['pin_env']}" if options["pin_env"]
                       else f"file:{Path(options['pin_file']).resolve()}")
            pkcs11 = services.Pkcs11Ref(module_path=options["pkcs11_module"],
                                        token_label=options["token_label"],
                                        key_label=options["key_label"], pin_ref=pin_ref)
        password_env = options["key_password_env"]
        password = os.environ.get(password_env, "").encode() if password_env else None
        return services.certificate_register(
            actor=None, agency=agency, cert_pem=self.read(options["cert"]),
            key_pem=self.read(options["key"]) if options["key"] else None,
            key_password=password, pkcs11=pkcs11)

    def _list(self, *, as_json: bool, expiring: int | None) -> None:
        rows = (selectors.expiring_certificates(expiring) if expiring is not None
                else selectors.certificates_visible_to(None))
        now = clock.now()
        items: list[dict[str, Any]] = [
            {"agency": r.agency.code, "serial": r.serial, "subject": r.subject,
             "not_before": r.not_before.isoformat(), "not_after": r.not_after.isoformat(),
             "status": r.status, "source": r.source, "key_storage": r.key_storage,
             "expired": r.not_after <= now, "fingerprint": r.fingerprint} for r in rows]
        if as_json:
            self.stdout.write(json.dumps(items, ensure_ascii=False, indent=2))
            return
        for item in items:
            flag = " [hết hạn / expired]" if item["expired"] else ""
            self.stdout.write(f"{item['agency']:<15} {item['status']:<8} {item['key_storage']:<7}"
                              f" {item['not_after'][:10]}  {item['subject']}{flag}")
