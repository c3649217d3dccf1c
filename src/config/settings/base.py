"""Settings for every deployment, chosen by environment variables.

Embedded default (nothing set): SQLite in WAL mode and files under ``VANBAN_HOME`` (default
``~/.local/share/vanban``), background tasks run in-process. Production: ``DATABASE_URL``
(PostgreSQL), ``VANBAN_TASKS`` (``rq`` with ``REDIS_URL``), ``VANBAN_STORAGE`` (``s3`` through
django-storages). See ``docs/operator-guide.md``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent  # src/


def _default_home() -> Path:
    """A per-user data folder (``$XDG_DATA_HOME/vanban``, else ``~/.local/share/vanban``): the
    same installation whatever folder a command runs in."""
    data = os.environ.get("XDG_DATA_HOME", "").strip()
    return (Path(data) if data else Path.home() / ".local" / "share") / "vanban"


VANBAN_HOME = Path(os.environ.get("VANBAN_HOME") or _default_home()).resolve()


def env_bool(name: str, default: bool = False) -> bool:
    """Read a yes/no environment variable."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key() -> str:
    """Use ``SECRET_KEY`` when given, else a random key kept in ``VANBAN_HOME`` (never in code)."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    path = VANBAN_HOME / "secret_key"
    if not path.exists():
        import secrets

        VANBAN_HOME.mkdir(parents=True, exist_ok=True, mode=0o700)  # private (R14.3)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks",
    "django_tasks_db",
    "vanban.core",
    "vanban.audit",
    "vanban.directory",
    "vanban.accounts",
    "vanban.storage",
    "vanban.signatures",
    "vanban.registry",
    "vanban.evidence",
    "vanban.exchange",
    "vanban.mail",
    "vanban.checks",
    "vanban.mailgate",
    "vanban.incoming",
    "vanban.workflow",
    "vanban.onestop",
    "vanban.notices",
    "vanban.search",
    "vanban.security",
    "vanban.demo",
    "vanban.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # outermost but one, so that every response, even a refusal by a middleware, has it
    "vanban.web.middleware.ContentSecurityPolicyMiddleware",
    "vanban.security.uploads.RequestSizeMiddleware",  # before anything reads the body
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "vanban.web.middleware.VietnameseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "vanban.accounts.middleware.AccountPolicyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "accounts:login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "vanban.web.context.navigation",
                "vanban.notices.context.bell",
            ],
        },
    },
]

# --- database ------------------------------------------------------------------------------
SQLITE_PATH = VANBAN_HOME / "vanban.sqlite3"
if os.environ.get("DATABASE_URL"):
    DATABASES: dict[str, dict[str, Any]] = {
        "default": dict(dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60))
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(SQLITE_PATH),
            # IMMEDIATE takes the write lock at BEGIN, so read-then-write services (numbering,
            # the audit chain) never fail half-way with "database is locked".
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 30,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
                ),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- background tasks (ADR 0002) -------------------------------------------------------------
_tasks = os.environ.get("VANBAN_TASKS", "immediate")
if _tasks == "rq":
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    RQ_QUEUES = {"default": {"URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")}}
    INSTALLED_APPS.append("django_rq")
elif _tasks == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# --- files -----------------------------------------------------------------------------------
MEDIA_ROOT = VANBAN_HOME / "files"
STATIC_URL = "/static/"
STATIC_ROOT = VANBAN_HOME / "static"
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
if os.environ.get("VANBAN_STORAGE") == "s3":
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ.get("S3_BUCKET", "vanban"),
            "endpoint_url": os.environ.get("S3_ENDPOINT_URL"),
            "file_overwrite": False,
        },
    }
WHITENOISE_USE_FINDERS = True
KEYS_DIR = VANBAN_HOME / "keys"
# Master key for secrets at rest (vanban.core.secretbox): base64 in the environment, or a file
# that production keeps outside VANBAN_HOME. Empty: KEYS_DIR/master.key (embedded default).
VANBAN_MASTER_KEY = os.environ.get("VANBAN_MASTER_KEY", "")
VANBAN_MASTER_KEY_FILE = os.environ.get("VANBAN_MASTER_KEY_FILE", "")
# Passphrase of the signing-key store (R21.1): production gives it from outside VANBAN_HOME, in
# the environment or a file; empty: a random one sealed under the master key in KEYS_DIR.
VANBAN_KEYSTORE_PASSPHRASE = os.environ.get("VANBAN_KEYSTORE_PASSPHRASE", "")
VANBAN_KEYSTORE_PASSPHRASE_FILE = os.environ.get("VANBAN_KEYSTORE_PASSPHRASE_FILE", "")
VANBAN_MAX_UPLOAD_BYTES = int(os.environ.get("VANBAN_MAX_UPLOAD_BYTES", str(50 * 1024 * 1024)))
# Decompression bombs (R16.1, vanban.pdfs.streams): how far one compressed stream of a PDF, and
# all of them together, may expand when decoded; past either the PDF is refused at intake.
VANBAN_PDF_MAX_STREAM_BYTES = int(os.environ.get("VANBAN_PDF_MAX_STREAM_BYTES", str(256 * 1024**2)))
VANBAN_PDF_MAX_DECODED_BYTES = int(os.environ.get("VANBAN_PDF_MAX_DECODED_BYTES", str(1024**3)))
# edXML carries files in base64 (a third larger) between installations.
DATA_UPLOAD_MAX_MEMORY_SIZE = VANBAN_MAX_UPLOAD_BYTES * 4 // 3 + 2 * 1024 * 1024
# Upload limits enforced before and while the body is read (vanban.security.uploads): a request
# whose Content-Length exceeds VANBAN_MAX_REQUEST_BYTES is refused unread; files stream to a
# temporary file above FILE_UPLOAD_MAX_MEMORY_SIZE and stop past VANBAN_MAX_UPLOAD_BYTES.
VANBAN_MAX_REQUEST_BYTES = int(
    os.environ.get("VANBAN_MAX_REQUEST_BYTES", str(DATA_UPLOAD_MAX_MEMORY_SIZE)))
FILE_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024
FILE_UPLOAD_HANDLERS = [
    "vanban.security.uploads.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# Malware scanner (R16.1, docs/operator-guide.md): "clamd" with VANBAN_CLAMD_SOCKET (unix socket)
# or VANBAN_CLAMD_HOST/PORT. Empty (embedded default): no scanner, not for production
# (`vanban check --deploy` warns). Files that arrive while clamd is down wait in quarantine.
VANBAN_MALWARE_SCANNER = os.environ.get("VANBAN_MALWARE_SCANNER", "")
VANBAN_CLAMD_SOCKET = os.environ.get("VANBAN_CLAMD_SOCKET", "")
VANBAN_CLAMD_HOST = os.environ.get("VANBAN_CLAMD_HOST", "127.0.0.1")
VANBAN_CLAMD_PORT = int(os.environ.get("VANBAN_CLAMD_PORT", "3310"))
VANBAN_CLAMD_TIMEOUT = float(os.environ.get("VANBAN_CLAMD_TIMEOUT", "30"))
VANBAN_QUARANTINE_DIR = os.environ.get("VANBAN_QUARANTINE_DIR", str(VANBAN_HOME / "quarantine"))
# Page images of the document viewer (ADR 0018): a disposable cache named by the PDF's hash.
VANBAN_PAGE_CACHE = os.environ.get("VANBAN_PAGE_CACHE", str(VANBAN_HOME / "cache" / "pages"))
# Where the visible signature mark goes: the provincial rule (R15.1) or Decree 30/2020's layouts.
VANBAN_SIGNATURE_PLACEMENT = os.environ.get(
    "VANBAN_SIGNATURE_PLACEMENT", "bottom_left_first_page"
)  # or "top_right_first_page", "signature_block_overlay"
# R3.2c: document types (Decree 30 abbreviations, e.g. "HĐ,GUQ") that a rule says must also go
# on paper.
VANBAN_PAPER_REQUIRED_TYPES = [
    t for t in os.environ.get("VANBAN_PAPER_REQUIRED_TYPES", "").split(",") if t
]
# RFC 3161 time-stamp authority for PAdES B-T; empty = the demo PKI's local TSA when present.
VANBAN_TSA_URL = os.environ.get("VANBAN_TSA_URL", "")
# Fetch CRLs of other CAs named in certificates while verifying incoming PDFs (R4.3).
VANBAN_REVOCATION_FETCH = env_bool("VANBAN_REVOCATION_FETCH", True)
# Long-term validation (ADR 0014): signatures embed their chain and CRLs (PAdES B-LT); each
# signed file gets an archive copy with a document time-stamp (B-LTA), renewed by
# `vanban pdf archive-renew` this many days before the stamp's TSA certificate expires, or at
# once when its digest is one of the weak ones.
VANBAN_PADES_LTV = env_bool("VANBAN_PADES_LTV", True)
VANBAN_PADES_ARCHIVE = env_bool("VANBAN_PADES_ARCHIVE", True)
VANBAN_ARCHIVE_RENEW_MARGIN_DAYS = int(os.environ.get("VANBAN_ARCHIVE_RENEW_MARGIN_DAYS", "365"))
VANBAN_ARCHIVE_DIGEST = os.environ.get("VANBAN_ARCHIVE_DIGEST", "sha256")
VANBAN_ARCHIVE_WEAK_DIGESTS = [
    d for d in os.environ.get("VANBAN_ARCHIVE_WEAK_DIGESTS", "md5,sha1").split(",") if d
]
# --- exchange hub (docs/operator-guide.md) ---------------------------------------------------
VANBAN_INSTALLATION_ID = os.environ.get("VANBAN_INSTALLATION_ID", "")  # empty: the host name
VANBAN_EXCHANGE_RETRY_BASE = float(os.environ.get("VANBAN_EXCHANGE_RETRY_BASE", "5"))
VANBAN_EXCHANGE_RETRY_CAP = float(os.environ.get("VANBAN_EXCHANGE_RETRY_CAP", "3600"))
VANBAN_EXCHANGE_LEASE = float(os.environ.get("VANBAN_EXCHANGE_LEASE", "60"))
VANBAN_EXCHANGE_TIMEOUT = float(os.environ.get("VANBAN_EXCHANGE_TIMEOUT", "30"))
VANBAN_EXCHANGE_WAKE_BATCH = int(os.environ.get("VANBAN_EXCHANGE_WAKE_BATCH", "100"))
# Refused federation signatures: per kind, the 1st, 2nd, 4th… in this window are audited (ADR 0011).
VANBAN_FEDERATION_REFUSAL_WINDOW = int(os.environ.get("VANBAN_FEDERATION_REFUSAL_WINDOW", "300"))
# Base URL of this installation as others reach it (CRL distribution points in certificates).
VANBAN_PUBLIC_URL = os.environ.get("VANBAN_PUBLIC_URL", "http://127.0.0.1:8000")
VANBAN_FONT_PATH = os.environ.get(
    "VANBAN_FONT_PATH", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
)
# R10.2: ends of the inbox-check windows, local time (morning until the first, afternoon until
# the second); reminders go out at each end (``vanban checks remind`` / ``scheduler``).
VANBAN_CHECK_TIMES = os.environ.get("VANBAN_CHECK_TIMES", "11:30,16:30")
# Notifications (vanban.notices, ``vanban notices run``): "deadline near" this many working days
# ahead; a daily digest goes out at the first run after this local time; the mail choice of a user
# who made none ("none", "each", "daily").
VANBAN_NOTICES_DUE_SOON_DAYS = int(os.environ.get("VANBAN_NOTICES_DUE_SOON_DAYS", "2"))
VANBAN_NOTICES_DIGEST_AT = os.environ.get("VANBAN_NOTICES_DIGEST_AT", "07:30")
VANBAN_NOTICES_MAIL_DEFAULT = os.environ.get("VANBAN_NOTICES_MAIL_DEFAULT", "daily")

# The one-stop clock (onestop.md §13; read by vanban.onestop.clock_config, operator guide §11).
VANBAN_ONESTOP_CLOCK_HOURS = os.environ.get("VANBAN_ONESTOP_CLOCK_HOURS", "08:00-12:00,13:00-17:00")
VANBAN_ONESTOP_CLOCK_CUTOFF = os.environ.get("VANBAN_ONESTOP_CLOCK_CUTOFF", "15:00")
VANBAN_ONESTOP_CLOCK_MODE = os.environ.get("VANBAN_ONESTOP_CLOCK_MODE", "working_time")
VANBAN_ONESTOP_SATURDAY_COUNTS = env_bool("VANBAN_ONESTOP_SATURDAY_COUNTS", False)
VANBAN_ONESTOP_MAKEUP_COUNTS = env_bool("VANBAN_ONESTOP_MAKEUP_COUNTS", True)
VANBAN_ONESTOP_CLOSURE_DAYS = int(os.environ.get("VANBAN_ONESTOP_CLOSURE_DAYS", "15"))
# vanban's one working-day calendar (ADR 0019; vanban.directory.calendar_settings): the
# VANBAN_ONESTOP_* names are older aliases, read together with the neutral ones.
VANBAN_ONESTOP_SCHEDULED_YEARS = os.environ.get("VANBAN_ONESTOP_SCHEDULED_YEARS", "")
VANBAN_ONESTOP_EXTRA_HOLIDAYS = os.environ.get("VANBAN_ONESTOP_EXTRA_HOLIDAYS", "")
VANBAN_CALENDAR_SCHEDULED_YEARS = os.environ.get("VANBAN_CALENDAR_SCHEDULED_YEARS", "")
VANBAN_CALENDAR_EXTRA_HOLIDAYS = os.environ.get("VANBAN_CALENDAR_EXTRA_HOLIDAYS", "")
VANBAN_CALENDAR_NATIONAL_DAY_ADJACENT = os.environ.get("VANBAN_CALENDAR_NATIONAL_DAY_ADJACENT", "")
# Dossier codes (onestop.md §6): the pattern, and the identifier online dossiers are coded
# under (empty: the deciding body's own).
VANBAN_ONESTOP_CODE_PATTERN = os.environ.get("VANBAN_ONESTOP_CODE_PATTERN",
                                             "{agency}-{YYMMDD}-{NNNN}")
VANBAN_ONESTOP_DVCQG_IDENTIFIER = os.environ.get("VANBAN_ONESTOP_DVCQG_IDENTIFIER", "")

# The official mail road (R9.1, R4.1, R13.1; docs/mail.md): the provincial mail servers the
# gateway reads (IMAP) and sends through (SMTP), and how mailboxes are provisioned.
VANBAN_MAIL_IMAP_HOST = os.environ.get("VANBAN_MAIL_IMAP_HOST", "127.0.0.1")
VANBAN_MAIL_IMAP_PORT = int(os.environ.get("VANBAN_MAIL_IMAP_PORT", "993"))
VANBAN_MAIL_IMAP_SSL = env_bool("VANBAN_MAIL_IMAP_SSL", True)
VANBAN_MAIL_IMAP_STARTTLS = env_bool("VANBAN_MAIL_IMAP_STARTTLS", False)
VANBAN_MAIL_SMTP_HOST = os.environ.get("VANBAN_MAIL_SMTP_HOST", "127.0.0.1")
VANBAN_MAIL_SMTP_PORT = int(os.environ.get("VANBAN_MAIL_SMTP_PORT", "587"))
VANBAN_MAIL_SMTP_SSL = env_bool("VANBAN_MAIL_SMTP_SSL", False)
VANBAN_MAIL_SMTP_STARTTLS = env_bool("VANBAN_MAIL_SMTP_STARTTLS", True)
VANBAN_MAIL_TIMEOUT = float(os.environ.get("VANBAN_MAIL_TIMEOUT", "30"))
VANBAN_MAIL_HELO = os.environ.get("VANBAN_MAIL_HELO", "")
VANBAN_MAIL_PROVISIONER = os.environ.get("VANBAN_MAIL_PROVISIONER", "")  # "dovecot" | "ldap"
VANBAN_MAIL_PASSWD_FILE = os.environ.get("VANBAN_MAIL_PASSWD_FILE", "")
# A cache shared by every web process (the portal's limit on tracking tries, the menu badges):
# Redis when VANBAN_CACHE_URL is set; otherwise each process keeps its own, enough for one
# process (the embedded default) but not for several behind a proxy (operator guide §3).
if os.environ.get("VANBAN_CACHE_URL"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": os.environ["VANBAN_CACHE_URL"]}}

VANBAN_MAIL_PASSWD_GROUP = os.environ.get("VANBAN_MAIL_PASSWD_GROUP", "")  # e.g. "dovecot"
# The gateway's reading (docs/mail.md): seconds between passes; the largest attachment filed;
# failed passes, and seconds since the first, before a message it cannot handle is kept in
# quarantine; minutes between two passes counted as the inbox's check (R10.2).
VANBAN_MAIL_POLL_SECONDS = float(os.environ.get("VANBAN_MAIL_POLL_SECONDS", "60"))
VANBAN_MAIL_MAX_ATTACHMENT_BYTES = int(os.environ.get("VANBAN_MAIL_MAX_ATTACHMENT_BYTES",
                                                      str(25 * 1024 * 1024)))
VANBAN_MAIL_MAX_ATTEMPTS = int(os.environ.get("VANBAN_MAIL_MAX_ATTEMPTS", "3"))
VANBAN_MAIL_FAILURE_GRACE_SECONDS = float(os.environ.get("VANBAN_MAIL_FAILURE_GRACE_SECONDS",
                                                         "1800"))
VANBAN_MAIL_CHECK_MINUTES = int(os.environ.get("VANBAN_MAIL_CHECK_MINUTES", "30"))
# The national axis gateway's polling (operator guide §8), the quarantine's re-scan interval
# (R16.1), and whether agencies' heads may edit their own units (docs/api.md).
VANBAN_AXIS_POLL_SECONDS = float(os.environ.get("VANBAN_AXIS_POLL_SECONDS", "60"))
VANBAN_QUARANTINE_RESCAN_SECONDS = float(os.environ.get("VANBAN_QUARANTINE_RESCAN_SECONDS",
                                                        "60"))
VANBAN_DIRECTORY_AGENCIES_EDIT_UNITS = env_bool("VANBAN_DIRECTORY_AGENCIES_EDIT_UNITS", False)

# Outgoing mail (reminders of R10.2; the mail gateway later). Without EMAIL_HOST the embedded
# default writes each message as a file under VANBAN_HOME/mail instead of sending it.
if os.environ.get("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["EMAIL_HOST"]
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS", "") == "1"
    EMAIL_USE_SSL = os.environ.get("EMAIL_USE_SSL", "") == "1"
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VANBAN_HOME / "mail")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "vanban@localhost")

# --- auth and password policy (R20.2) --------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "vanban.accounts.passwords.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "vanban.accounts.passwords.CharacterClassValidator"},
]
VANBAN_PASSWORD_MAX_AGE_DAYS = int(os.environ.get("VANBAN_PASSWORD_MAX_AGE_DAYS", "90"))
VANBAN_LOCKOUT_THRESHOLD = int(os.environ.get("VANBAN_LOCKOUT_THRESHOLD", "5"))
VANBAN_LOCKOUT_MINUTES = int(os.environ.get("VANBAN_LOCKOUT_MINUTES", "15"))
# Locks per (username, client address) double up to this; failures from one address across all
# usernames pause that address after VANBAN_LOCKOUT_IP_THRESHOLD (accounts/services/lockout.py).
VANBAN_LOCKOUT_MAX_MINUTES = int(os.environ.get("VANBAN_LOCKOUT_MAX_MINUTES", "1440"))
VANBAN_LOCKOUT_IP_THRESHOLD = int(os.environ.get("VANBAN_LOCKOUT_IP_THRESHOLD", "50"))
# API tokens are stored hashed and expire after this many days.
VANBAN_API_TOKEN_DAYS = int(os.environ.get("VANBAN_API_TOKEN_DAYS", "30"))
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# --- transport and browser protections (production: docs/operator-guide.md) ------------------
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# Behind a TLS proxy: the header it sets to "https" (e.g. X-Forwarded-Proto); the proxy must
# overwrite that header on every request, or a client could claim HTTPS.
if _proxy_ssl_header := os.environ.get("SECURE_PROXY_SSL_HEADER", ""):
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _proxy_ssl_header.upper().replace("-", "_"), "https")
# Content-Security-Policy (vanban.web.middleware): no inline script or style on any page.
VANBAN_CSP = os.environ.get("VANBAN_CSP", "; ".join((
    "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
    "object-src 'none'", "frame-ancestors 'none'", "base-uri 'self'", "form-action 'self'")))
# The API's browsable pages and documentation viewers write inline styles and use a worker.
VANBAN_CSP_BY_PATH = {"/api/": "; ".join((
    "default-src 'self'", "script-src 'self'", "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:", "worker-src 'self' blob:", "object-src 'none'",
    "frame-ancestors 'none'", "base-uri 'self'", "form-action 'self'"))}

# --- audit log (R14.3) -----------------------------------------------------------------------
VANBAN_AUDIT_SEAL_EVERY = int(os.environ.get("VANBAN_AUDIT_SEAL_EVERY", "1000"))
# Also seal when events have waited this long (0: off), and at a clean exit (docs/adr/0010).
VANBAN_AUDIT_SEAL_SECONDS = float(os.environ.get("VANBAN_AUDIT_SEAL_SECONDS", "600"))
VANBAN_AUDIT_SEAL_AT_EXIT = env_bool("VANBAN_AUDIT_SEAL_AT_EXIT", True)
# The seal key on a PKCS#11 token instead of KEYS_DIR (module path; token selected by label; PIN
# from the environment or a file outside VANBAN_HOME). Empty: the encrypted key file.
VANBAN_AUDIT_SEAL_PKCS11_MODULE = os.environ.get("VANBAN_AUDIT_SEAL_PKCS11_MODULE", "")
VANBAN_AUDIT_SEAL_PKCS11_TOKEN = os.environ.get("VANBAN_AUDIT_SEAL_PKCS11_TOKEN", "")
VANBAN_AUDIT_SEAL_PKCS11_KEY = os.environ.get("VANBAN_AUDIT_SEAL_PKCS11_KEY", "audit-seal")
VANBAN_AUDIT_SEAL_PKCS11_PIN = os.environ.get("VANBAN_AUDIT_SEAL_PKCS11_PIN", "")
VANBAN_AUDIT_SEAL_PKCS11_PIN_FILE = os.environ.get("VANBAN_AUDIT_SEAL_PKCS11_PIN_FILE", "")
# Evidence log: sign a tree head every N records and after this many seconds (0: off).
VANBAN_EVIDENCE_HEAD_EVERY = int(os.environ.get("VANBAN_EVIDENCE_HEAD_EVERY", "1000"))
VANBAN_EVIDENCE_HEAD_SECONDS = float(os.environ.get("VANBAN_EVIDENCE_HEAD_SECONDS", "600"))
# Where ``vanban audit checkpoint export --mail`` sends checkpoints (the province archive).
VANBAN_CHECKPOINT_MAIL_TO = [a for a in os.environ.get("VANBAN_CHECKPOINT_MAIL_TO", "").split(",")
                             if a]

# --- i18n: Vietnamese first, English second --------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "vanban" / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Asia/Ho_Chi_Minh"
FORMAT_MODULE_PATH = ["vanban.formats"]

# --- REST API ---------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "vanban.accounts.api_auth.PolicyTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # Per-token rate limit: VANBAN_API_TOKEN_RATE (429 problem with Retry-After beyond it).
    "DEFAULT_THROTTLE_CLASSES": ["vanban.accounts.api_auth.TokenRateThrottle"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "vanban.web.problems.exception_handler",
    "DEFAULT_PAGINATION_CLASS": "vanban.web.pagination.KeysetCursorPagination",
    "PAGE_SIZE": 50,
}
# Largest page any API list returns; a larger ?limit= is lowered to it (R14.3: no request
# makes the server read a whole table at once).
VANBAN_API_MAX_PAGE_SIZE = int(os.environ.get("VANBAN_API_MAX_PAGE_SIZE", "200"))
# Calls each API token may make ("<n>/<sec|min|hour|day>"; empty: no limit); beyond, a 429.
VANBAN_API_TOKEN_RATE = os.environ.get("VANBAN_API_TOKEN_RATE", "600/min")
SPECTACULAR_SETTINGS = {
    "TITLE": "vanban API",
    "DESCRIPTION": (
        "API của hệ thống vanban (QĐ 133/2015/QĐ-UBND). Lỗi trả về theo RFC 9457 "
        "(application/problem+json) với thông điệp tiếng Việt và tiếng Anh."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # The schema documents the integrators' API only (not the peer-to-peer federation door).
    "PREPROCESSING_HOOKS": ["vanban.web.schema.only_api_endpoints"],
    # Every operation documents its 4xx problems (RFC 9457), one tag per app, a summary.
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums",
                             "vanban.web.schema.document_problems"],
    # One name per choice set ("role" means three different things in three apps).
    "ENUM_NAME_OVERRIDES": {
        "RoleEnum": "vanban.accounts.serializers.ROLE_CHOICES",
        "LineRoleEnum": "vanban.workflow.models.LineRole",
        "RecipientKindEnum": ["paper", "electronic"],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
CSRF_FAILURE_VIEW = "vanban.web.errors.csrf_failure"
