"""``vanban audit verify|seal|export-key|checkpoint``: the operator's tools for the log (R14.3).

``verify`` exits 0 when the chain, its seals and the seal schedule are intact and 1 naming the
first bad event, in Vietnamese and English (``--json`` for scripts; ``--public-key`` to check
with an exported key, as a third party would; ``--checkpoint FILE`` to prove the log still holds
every event of a checkpoint kept elsewhere; ``--witness ID`` to use the checkpoint a witness
peer countersigned; with either, ``--root-fingerprint SHA256`` also requires the checkpoint's
key to be certified by a CA chaining to that root, valid at the checkpoint's time). ``seal``
signs the head now. ``export-key`` prints the public key (PEM).
``checkpoint export [-o FILE] [--mail]`` writes a signed checkpoint, ``checkpoint witnesses``
lists the countersignatures kept, ``checkpoint tick`` runs one scheduled moment (cron);
``checkpoint repin ORIGIN LOG --key PEM --reason …`` lets a witness accept a peer's new key.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.conf import settings
from django.core.mail import send_mail
from django.core.management.base import BaseCommand, CommandError, CommandParser

from vanban.audit import checkpoints, keys, schedule, services
from vanban.audit.checkpoint import Checkpoint, CheckpointError, parse
from vanban.audit.findings import VerifyResult
from vanban.audit.verify import verify_database


class Command(BaseCommand):
    help = ("Kiểm tra, niêm phong nhật ký kiểm toán; điểm kiểm tra; xuất khoá công khai / "
            "Verify or seal the audit log; checkpoints; export the public key.")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        verify = sub.add_parser("verify", help="Kiểm tra toàn bộ chuỗi / verify the whole chain")
        verify.add_argument("--json", action="store_true", help="JSON output")
        verify.add_argument("--public-key", type=Path, default=None,
                            help="Khoá công khai (PEM) để kiểm tra dấu niêm phong / "
                                 "public key (PEM) to check the seals with")
        verify.add_argument("--checkpoint", type=Path, default=None,
                            help="Tệp điểm kiểm tra giữ bên ngoài / a checkpoint file kept "
                                 "outside the installation")
        verify.add_argument("--witness", default=None,
                            help="Dùng điểm kiểm tra mới nhất mà hệ thống này đã ký xác nhận / "
                                 "use the latest checkpoint this witness countersigned")
        verify.add_argument("--root-fingerprint", default=None, metavar="SHA256",
                            help="Khoá của điểm kiểm tra phải được CA gốc này chứng nhận / "
                                 "the checkpoint's key must be certified by this root CA")
        sub.add_parser("seal", help="Niêm phong đầu chuỗi ngay / seal the chain head now")
        export = sub.add_parser("export-key", help="Xuất khoá công khai / export the public key")
        export.add_argument("--output", type=Path, default=None, help="file (default: stdout)")
        point = sub.add_parser("checkpoint", help="Điểm kiểm tra / checkpoints")
        actions = point.add_subparsers(dest="action", required=True)
        out = actions.add_parser("export", help="Ghi điểm kiểm tra đã ký / write a checkpoint")
        out.add_argument("-o", "--output", type=Path, default=None,
                         help="tệp / file (default: stdout)")
        out.add_argument("--no-locator", action="store_true",
                         help="không kèm bộ định vị / without the locator")
        out.add_argument("--mail", action="store_true",
                         help="gửi tới VANBAN_CHECKPOINT_MAIL_TO / mail to the archive")
        actions.add_parser("witnesses", help="Các chữ ký xác nhận / countersignatures kept")
        actions.add_parser("tick", help="Niêm phong và đẩy theo lịch / one scheduled moment")
        repin = actions.add_parser("repin", help="Chấp nhận khoá mới của hệ thống liên thông / "
                                                 "accept a peer's new checkpoint key")
        repin.add_argument("origin")
        repin.add_argument("log", choices=("audit", "evidence"))
        repin.add_argument("--key", type=Path, required=True, help="PEM")
        repin.add_argument("--reason", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        subcommand = options["subcommand"]
        if subcommand == "verify":
            self._verify(options)
        elif subcommand == "seal":
            seal = services.audit_seal(actor=None)
            self.stdout.write(f"Đã niêm phong sự kiện #{seal.seq} / sealed event #{seal.seq}: "
                              f"{seal.hash} (key {seal.key_id[:16]})")
        elif subcommand == "checkpoint":
            self._checkpoint(options)
        else:
            self._export(options["output"])

    def _keys(self, public_key: Path | None) -> dict[str, Ed25519PublicKey]:
        if public_key is None:
            return keys.known_public_keys()
        try:
            key = keys.load_public_key(public_key.read_bytes())
        except (OSError, ValueError, TypeError) as err:
            raise CommandError(f"Không đọc được khoá / cannot read the key: {err}") from err
        return {keys.key_id(key): key}

    def _verify(self, options: dict[str, Any]) -> None:
        public_keys = self._keys(options["public_key"])
        sched = schedule.Schedule.from_settings()
        loaded = self._load_checkpoint(options["checkpoint"], options["witness"])
        root = options["root_fingerprint"]
        if loaded is None:
            if root is not None:
                raise CommandError("--root-fingerprint cần --checkpoint hoặc --witness / needs "
                                   "--checkpoint or --witness")
            result = verify_database(public_keys=public_keys, schedule=sched)
        else:
            result = checkpoints.verify_with_checkpoint(
                loaded[0], public_keys=public_keys, locator_text=loaded[1], sched=sched,
                root_fingerprint=root)
        self._report(result, as_json=options["json"])

    def _load_checkpoint(self, path: Path | None,
                         witness: str | None) -> tuple[Checkpoint, str] | None:
        try:
            if path is not None:
                raw = json.loads(path.read_text(encoding="utf-8"))
                return parse(raw), str(raw.get("locator", ""))
            if witness:
                kept = [c for c in checkpoints.cosignatures(log="audit") if c.witness == witness]
                if not kept:
                    raise CommandError(f"Không có chữ ký xác nhận của {witness} / no "
                                       f"countersignature from {witness}")
                latest = max(kept, key=lambda c: c.size)
                return parse(latest.checkpoint), ""
        except (OSError, ValueError, CheckpointError) as err:
            raise CommandError(f"Không đọc được điểm kiểm tra / cannot read the checkpoint: "
                               f"{err}") from err
        return None

    def _report(self, result: VerifyResult, *, as_json: bool) -> None:
        if as_json:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
        elif result.ok:
            self.stdout.write(self.style.SUCCESS(result.message("vi")))
            self.stdout.write(self.style.SUCCESS(result.message("en")))
        else:
            self.stderr.write(result.message("vi"))
            self.stderr.write(result.message("en"))
        if not result.ok:
            raise SystemExit(1)

    def _checkpoint(self, options: dict[str, Any]) -> None:
        action = options["action"]
        if action == "tick":
            sealed = schedule.tick()
            self.stdout.write(f"seal #{sealed.seq}" if sealed else "nothing to seal")
        elif action == "repin":
            try:
                checkpoints.witness_repin(origin=options["origin"], log=options["log"],
                                          key_pem=options["key"].read_text(encoding="ascii"),
                                          reason=options["reason"])
            except (OSError, ValueError, TypeError) as err:
                raise CommandError(str(err)) from err
            self.stdout.write(f"{options['origin']}/{options['log']}: key pinned")
        elif action == "witnesses":
            for row in checkpoints.cosignatures():
                self.stdout.write(f"{row.log}\t{row.witness}\t#{row.size}\t{row.head}\t"
                                  f"{row.cosigned_at}")
        else:
            checkpoint, locator = checkpoints.checkpoint_make(
                with_locator=not options["no_locator"])
            text = checkpoints.checkpoint_file(checkpoint, locator)
            self._emit(text, options["output"], checkpoint, mail=options["mail"])

    def _emit(self, text: str, output: Path | None, checkpoint: Checkpoint, *,
              mail: bool) -> None:
        if output is None:
            self.stdout.write(text, ending="")
        else:
            output.write_text(text, encoding="utf-8")
            self.stdout.write(f"{output}: #{checkpoint.size} {checkpoint.head}")
        if mail:
            recipients = list(getattr(settings, "VANBAN_CHECKPOINT_MAIL_TO", []))
            if not recipients:
                raise CommandError("VANBAN_CHECKPOINT_MAIL_TO trống / is empty")
            send_mail(f"vanban checkpoint {checkpoint.origin} #{checkpoint.size}", text,
                      None, recipients)

    def _export(self, output: Path | None) -> None:
        pem = keys.public_key_pem()
        if output is None:
            self.stdout.write(pem, ending="")
            self.stderr.write(f"key id (sha256 of DER SubjectPublicKeyInfo): {keys.key_id()}")
            return
        output.write_text(pem)
        self.stdout.write(f"{output} · key id {keys.key_id()}")
