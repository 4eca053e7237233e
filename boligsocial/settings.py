"""Settings for the BoligSocialt Hus portal.

One module, driven by the environment. With nothing set it runs as a development
portal on SQLite with a file-system Celery broker. `PORTAL_ENVIRONMENT=production`
switches on every production safeguard and refuses to start while a required
setting is missing or malformed; the message names the setting.
Every variable read here is listed in the README's settings table (a test checks).
"""

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import django.conf.locale
import environ
import xstatic.pkg.bootstrap
import xstatic.pkg.leaflet
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

ENVIRONMENTS = ("development", "production")
PORTAL_ENVIRONMENT = env.str("PORTAL_ENVIRONMENT", default="development")
if PORTAL_ENVIRONMENT not in ENVIRONMENTS:
    raise ImproperlyConfigured(
        f"PORTAL_ENVIRONMENT must be one of {', '.join(ENVIRONMENTS)}, "
        f"not {PORTAL_ENVIRONMENT!r}."
    )
PRODUCTION = PORTAL_ENVIRONMENT == "production"


def required(name: str, value, *, check, expected: str):
    """Refuse to start in production when a setting is missing or malformed."""
    if not check(value):
        raise ImproperlyConfigured(f"{name} is missing or malformed: {expected}.")
    return value


# Development keeps its SQLite file, mails and broker folders here.
VAR_DIR = Path(env.str("PORTAL_VAR_DIR", default=str(BASE_DIR / "var")))
if not PRODUCTION:
    VAR_DIR.mkdir(parents=True, exist_ok=True)

# --- Core ----------------------------------------------------------------------

if PRODUCTION:
    SECRET_KEY = required(
        "DJANGO_SECRET_KEY",
        env.str("DJANGO_SECRET_KEY", default=""),
        check=lambda v: (
            len(v) >= 50 and len(set(v)) >= 5 and not v.startswith("django-insecure")
        ),
        expected="at least 50 random characters",
    )
    DEBUG = False
    ALLOWED_HOSTS = required(
        "DJANGO_ALLOWED_HOSTS",
        env.list("DJANGO_ALLOWED_HOSTS", default=[]),
        check=lambda v: bool(v) and "*" not in v,
        expected="a comma-separated list of host names, without '*'",
    )
else:
    SECRET_KEY = env.str(
        "DJANGO_SECRET_KEY",
        default="django-insecure-development-only-never-use-this-key-in-production",
    )
    DEBUG = env.bool("DJANGO_DEBUG", default=True)
    ALLOWED_HOSTS = env.list(
        "DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"]
    )

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "boligsocial.apps.PortalAdminConfig",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "template_partials",
    "axes",
    "csp",
    "django_ratelimit",
    "phonenumber_field",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "boligsocial",
    "activities",
    "safety",
    "advice",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Early, so that every page (the 413 and 503 ones too) carries these headers.
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "boligsocial.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Marks the user verified once they gave a code this session (is_verified()).
    "django_otp.middleware.OTPMiddleware",
    # A body over REQUEST_BODY_LIMIT is refused (413) before anything reads it (no
    # middleware above does), on a page in the person's frame.
    "boligsocial.middleware.BodyLimitMiddleware",
    # Forms get what was sent without invisible reordering characters.
    "boligsocial.middleware.CleanInputMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A form sent after the session ended waits for the login (kept_forms.py).
    "boligsocial.kept_forms.KeptFormMiddleware",
    "boligsocial.middleware.SessionLifetimeMiddleware",
    "boligsocial.middleware.NoStoreMiddleware",
    "boligsocial.middleware.TwoFactorMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    # Innermost, so that its 405 still passes every header middleware above.
    "boligsocial.middleware.MethodMiddleware",
]

ROOT_URLCONF = "boligsocial.urls"
WSGI_APPLICATION = "boligsocial.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "boligsocial.navigation.context",
            ],
        },
    },
]

# --- Database ------------------------------------------------------------------
# SQLite when DATABASE_URL is unset (development only), PostgreSQL when it is set.

if PRODUCTION:
    required(
        "DATABASE_URL",
        env.str("DATABASE_URL", default=""),
        check=lambda v: v.startswith(("postgres://", "postgresql://", "pgsql://")),
        expected="a postgres:// URL",
    )
try:
    DATABASES = {
        "default": env.db_url(
            "DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'portal.sqlite3'}"
        )
    }
except (ValueError, KeyError) as error:
    raise ImproperlyConfigured(
        f"DATABASE_URL is missing or malformed: {error}"
    ) from error
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Development's web server and worker processes (bin/dev: concurrency 2) write
    # to one file. SQLite's default transaction starts as a reader, and when two
    # readers both go on to write, one fails at once with "database is locked"
    # (waiting could not help: each holds what the other needs). IMMEDIATE takes
    # the write lock when the transaction begins, and the timeout lets the next
    # one wait for it instead of failing (Django's docs: "Database is locked").
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        transaction_mode="IMMEDIATE", timeout=20
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- People and authentication -------------------------------------------------

AUTH_USER_MODEL = "boligsocial.User"
AUTHENTICATION_BACKENDS = [
    # django-axes first, so a locked-out user is refused before the password check.
    "axes.backends.AxesStandaloneBackend",
    "boligsocial.backends.PortalBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Advisors and coordinators add a code from an authenticator app (TOTP, django-otp);
# the app lists the portal under this name.
OTP_TOTP_ISSUER = "BoligSocialt Hus"

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = 60 * 60 * 2  # a reset link works for two hours

# django-axes: its default lock never expires; ours ends after a cool-off, and it
# locks a user name from one address so others cannot lock a colleague out.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Besides, an address is locked after ADDRESS_FAILURE_LIMIT failures within an hour,
# whichever names were tried (password spraying): boligsocial/lockout.py.
AXES_HANDLER = "boligsocial.lockout.LockoutHandler"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# An attempt refused because of a lock is not counted: a lock ends when it was to,
# however often someone tries meanwhile.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
ADDRESS_FAILURE_LIMIT = env.int("AXES_ADDRESS_FAILURE_LIMIT", default=20)
ADDRESS_FAILURE_WINDOW = timedelta(hours=1)
# axes keeps each failed attempt's form; the CSRF token in it could be turned back
# into the CSRF secret, so it is masked like the password.
AXES_SENSITIVE_PARAMETERS = ["csrfmiddlewaretoken"]
AXES_LOCKOUT_CALLABLE = "boligsocial.views.locked_out"
# Behind N reverse proxies (AXES_PROXY_COUNT=N) the first put the client's address
# in X-Forwarded-For and each later one appended its predecessor's; the last one is
# REMOTE_ADDR. So N - 1 proxy addresses follow the client's in the header: ipware's
# proxy_count, which it checks exactly, so a forged header cannot pick the address.
# (A lower-case name: AXES_PROXY_COUNT as a setting is one axes deprecated.)
proxy_count = env.int("AXES_PROXY_COUNT", default=0)
AXES_IPWARE_PROXY_COUNT = max(proxy_count - 1, 0)
AXES_IPWARE_META_PRECEDENCE_ORDER = ("REMOTE_ADDR",)
if proxy_count:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")

# Sessions end after 30 idle minutes and, whatever happens, after a working day.
SESSION_COOKIE_AGE = 60 * env.int("SESSION_IDLE_MINUTES", default=30)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_MAX_AGE = timedelta(hours=env.int("SESSION_MAX_HOURS", default=10))
SESSION_COOKIE_HTTPONLY = True
# An invitation link (or a link to set up two-factor) works once, for this long.
INVITATION_LIFETIME = timedelta(hours=env.int("INVITATION_HOURS", default=72))
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# --- Language, time and formats ------------------------------------------------

LANGUAGE_CODE = "da"
# Each language is named in itself, so the switcher reads right in either.
LANGUAGES = [
    ("da", "Dansk"),
    ("en", "English"),
    ("ar", "العربية"),
    ("so", "Soomaali"),
    ("tr", "Türkçe"),
]
# The portal inside speaks Danish and English; the residents' pages (the views
# of RESIDENT_NAMESPACES) all of LANGUAGES (boligsocial/middleware.py).
PORTAL_LANGUAGES = ["da", "en"]
RESIDENT_NAMESPACES = ["nabohjaelp", "meld"]
# Django knows no Somali of its own: its name and direction for the switcher.
django.conf.locale.LANG_INFO.setdefault(
    "so", {"bidi": False, "code": "so", "name": "Somali", "name_local": "Soomaali"}
)
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Copenhagen"
USE_TZ = True
# Danish formats come from Django's "da" locale (decimal comma, 22. november 2026).
# Thousand separators are not automatic (years would read 2.026): large counts
# use humanize's intcomma, which groups the Danish way (12.345).
USE_THOUSAND_SEPARATOR = False
# English dates day first (boligsocial/formats/en), not month first.
FORMAT_MODULE_PATH = ["boligsocial.formats"]

# --- Static and media ----------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
if not PRODUCTION:
    STATIC_ROOT.mkdir(
        parents=True, exist_ok=True
    )  # whitenoise warns when it is missing
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", xstatic.pkg.bootstrap.BASE_DIR),
    ("vendor/leaflet", xstatic.pkg.leaflet.BASE_DIR),
]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
FILE_UPLOAD_PERMISSIONS = 0o640
# The files (photos and their thumbnails, report PDFs, exports, sheets waiting for
# their import) are on local disk under MEDIA_ROOT by default: development, and one
# machine. With S3_BUCKET set they are in an S3-compatible object store instead
# (django-storages), so that every web process and worker, on any machine, has the
# same files and none on its own disk. Either way they are read only through the
# portal's access-checked views, which stream them: the bucket stays private and
# no link into it is handed out (boligsocial/storage.py).
S3_BUCKET = env.str("S3_BUCKET", default="")
S3_CONNECTION = {
    "endpoint": env.str("S3_ENDPOINT_URL", default=""),
    "region": env.str("S3_REGION", default=""),
    "key": env.str("S3_ACCESS_KEY_ID", default=""),
    "secret": env.str("S3_SECRET_ACCESS_KEY", default=""),
}
S3_PREFIX = env.str("S3_PREFIX", default="media").strip("/")
# The deletion journal's prefix in the same bucket (see "Deletion journal" below).
S3_JOURNAL_PREFIX = env.str("S3_JOURNAL_PREFIX", default="journal").strip("/")
if S3_BUCKET:
    from .storage import s3_setting

    if (
        not S3_PREFIX
        or not S3_JOURNAL_PREFIX
        or any(
            a == b or a.startswith(b + "/")
            for a, b in ((S3_PREFIX, S3_JOURNAL_PREFIX), (S3_JOURNAL_PREFIX, S3_PREFIX))
        )
    ):
        raise ImproperlyConfigured(
            "S3_PREFIX and S3_JOURNAL_PREFIX must be two folders, neither inside "
            f"the other, not {S3_PREFIX!r} and {S3_JOURNAL_PREFIX!r}."
        )
    STORAGES["default"] = s3_setting(S3_BUCKET, **S3_CONNECTION, prefix=S3_PREFIX)
# The largest file any form takes (a finding's photo, 10 MB; a spreadsheet is 5 MB),
# and the most a request may send: that file, the form's other fields and the
# multipart wrapping. A larger body is refused with 413 before it is read
# (boligsocial.middleware.BodyLimitMiddleware); the proxy examples in the README
# refuse it earlier still.
LARGEST_UPLOAD = 10 * 1024 * 1024
REQUEST_BODY_LIMIT = LARGEST_UPLOAD + 1024 * 1024
# Django's own: form fields (not files) up to 2.5 MB are read, and an uploaded file
# over 2.5 MB is spooled to a temporary file rather than held in memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- E-mail ----------------------------------------------------------------------
# Development prints mails (password reset links) in the terminal.

if PRODUCTION:
    required(
        "EMAIL_URL",
        env.str("EMAIL_URL", default=""),
        check=lambda v: v.startswith(("smtp://", "smtp+tls://", "smtp+ssl://")),
        expected="an smtp://, smtp+tls:// or smtp+ssl:// URL",
    )
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
# A mail server that accepts the connection and then hangs must not hold a worker
# (and the incident notification it has locked) until the task's time limit.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
# The portal's address as people reach it, for links in mails sent in the background.
PORTAL_URL = env.str("PORTAL_URL", default="http://127.0.0.1:8000")
if PRODUCTION:
    required(
        "PORTAL_URL",
        PORTAL_URL,
        check=lambda v: v.startswith("https://"),
        expected="the portal's https:// address",
    )
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="BoligSocialt Hus <portal@localhost>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Cache and rate limits ------------------------------------------------------
# The cache holds the public sign-up form's rate-limit counters, so every web process
# must share it: Redis in production. Development's runserver is one process, where
# the local-memory cache is shared by all requests.

if PRODUCTION:
    required(
        "CACHE_URL",
        env.str("CACHE_URL", default=""),
        check=lambda v: v.startswith(("redis://", "rediss://")),
        expected="a redis:// URL",
    )
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}
CACHES["default"].setdefault("KEY_PREFIX", "portal")
# django-ratelimit knows django-redis but not Django's own RedisCache, which
# increments atomically (INCR) just the same.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]
# A list filter's choice of "no filter" reads as words, not Django's "---------".
FILTERS_EMPTY_CHOICE_LABEL = gettext_lazy("Alle")
# A form the CSRF check refuses gets the portal's page (or its own form again).
CSRF_FAILURE_VIEW = "boligsocial.views.csrf_failure"
if not PRODUCTION:
    # Local memory is not shared between processes; production requires Redis above.
    SILENCED_SYSTEM_CHECKS.append("django_ratelimit.E003")

# Phone numbers are Danish unless written with a country code (+46 ...).
PHONENUMBER_DEFAULT_REGION = "DK"
PHONENUMBER_DEFAULT_FORMAT = "INTERNATIONAL"

# --- Celery ----------------------------------------------------------------------
# Redis when CELERY_BROKER_URL is set; otherwise kombu's file-system transport, a
# broker that needs no server, so a local worker still runs tasks in the background.

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
if PRODUCTION:
    required(
        "CELERY_BROKER_URL",
        CELERY_BROKER_URL,
        check=lambda v: v.startswith(("redis://", "rediss://")),
        expected="a redis:// URL",
    )
CELERY_RESULT_BACKEND = env.str(
    "CELERY_RESULT_BACKEND",
    default=CELERY_BROKER_URL
    if CELERY_BROKER_URL.startswith("redis")
    else f"file://{VAR_DIR / 'celery' / 'results'}",
)
CELERY_FILESYSTEM_DIR = VAR_DIR / "celery" / "broker"
if CELERY_BROKER_URL == "filesystem://":
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_FILESYSTEM_DIR),
        "data_folder_out": str(CELERY_FILESYSTEM_DIR),
        "control_folder": str(VAR_DIR / "celery" / "control"),
    }
else:
    # A task not acknowledged within this time is given to another worker.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 60 * 60}
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# A task that loses its broker connection cannot be acknowledged any more and is
# delivered again: stop it, so that the same report is not built twice at once.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 5 * 60
CELERY_TASK_TIME_LIMIT = 6 * 60
CELERY_RESULT_EXPIRES = timedelta(days=1)
CELERY_TIMEZONE = TIME_ZONE
# The worker logs through LOGGING (UTC, one line per record) like the web processes.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celery" / "beat-schedule")
# One beat at a time, by a lock in PostgreSQL; a second one waits (boligsocial/beat).
CELERY_BEAT_SCHEDULER = "boligsocial.beat:SingleBeat"
# Beat wakes at least this often (so its heartbeat file stays fresh), and a beat
# waiting for the lock tries again this often.
CELERY_BEAT_MAX_LOOP_INTERVAL = 30
BEAT_LOCK_RETRY = 5
BEAT_HEARTBEAT_FILE = VAR_DIR / "celery" / "beat-alive"
# Beat's health check fails when the file is older than this (four loops).
BEAT_HEARTBEAT_STALE = 120
CELERY_BEAT_SCHEDULE = {
    "housekeeping": {
        "task": "boligsocial.tasks.housekeeping",
        "schedule": 60 * 60 * 6,
    },
    # Reminds each organisation of its overdue findings (once per finding and due
    # date), so running it every few hours sends nothing twice.
    "overdue-findings": {
        "task": "safety.tasks.send_overdue_reminders",
        "schedule": 60 * 60 * 4,
    },
    # Sends the incident notifications whose first try never reached the queue,
    # and tries again those a mail server refused (each waits its turn).
    "incident-notifications": {
        "task": "safety.tasks.send_due_notifications",
        "schedule": 60,
    },
    # Erases the personal data of advice cases closed longer ago than
    # ADVICE_RETENTION_MONTHS; a case already anonymised is left alone.
    "anonymise-advice-cases": {
        "task": "advice.tasks.anonymise_expired_cases",
        "schedule": 60 * 60 * 24,
    },
    # The safety app's retention rules: findings' photos, incidents' texts and
    # contacts past FINDING_PHOTO_, INCIDENT_ and CONTACT_RETENTION_MONTHS. What is
    # erased already is not found again.
    "safety-retention": {
        "task": "safety.tasks.apply_retention",
        "schedule": 60 * 60 * 24,
    },
    # Queues again the report runs left queued (the broker was down when they were
    # asked for) or whose build's lease ran out (their worker died); every 30 s,
    # so such a run is built again within a minute (LEASE_SECONDS).
    "sweep-report-runs": {
        "task": "reports.tasks.sweep_report_runs",
        "schedule": 30,
    },
    # Each person's notifications that wait for the daily digest, at 7 in the
    # morning Danish time (CELERY_TIMEZONE): an hour no clock change touches.
    "notification-digests": {
        "task": "boligsocial.tasks.send_notification_digests",
        "schedule": crontab(hour=7, minute=0),
    },
    # Asks for the scheduled reports of the quarter or year just ended.
    "scheduled-reports": {
        "task": "reports.tasks.request_scheduled_reports",
        "schedule": 60 * 60,
    },
    # Queues again the background exports left queued, gives up on those whose
    # worker died (their lease ran out), and deletes the exports older than
    # EXPORT_KEEP with their files; every 30 s.
    "sweep-export-jobs": {
        "task": "boligsocial.tasks.sweep_export_jobs",
        "schedule": 30,
    },
    # The same for uploaded sheets checked or imported by the worker; and deletes
    # the sheets older than the longest session with their files.
    "sweep-import-jobs": {
        "task": "boligsocial.tasks.sweep_import_jobs",
        "schedule": 30,
    },
}
# A report run still queued after this many seconds is queued again by the sweeper.
REPORT_REQUEUE_AFTER = env.int("REPORT_REQUEUE_AFTER", default=120)
# Long work (a report's build, an export, a sheet's check or import) renews a
# lease every LEASE_SECONDS / 3 seconds while it goes on, however long it takes;
# work whose lease ran out has lost its worker (killed, out of memory, its host
# gone), and the sweepers, every 30 s, build the report again or give the export
# or import up (the person tries again): within a minute (boligsocial/leases.py).
# Slow work keeps beating, so it is never taken twice. After REPORT_MAX_STALLS
# builds that stopped so, a report run fails (and can be tried again by hand)
# rather than being queued for ever.
# Tests only: bin/test shortens the lease (PORTAL_TEST_LEASE), so that a killed
# worker's run is taken over in seconds. Never read in production.
LEASE_SECONDS = 30 if PRODUCTION else env.int("PORTAL_TEST_LEASE", default=30)
REPORT_MAX_STALLS = 3
# The broker gives a task no worker acknowledged to another after its visibility
# timeout: it must exceed the longest a task may run (EXPORT_TIME_LIMIT below), or
# a task still running would be run twice.
# A background export of a whole list (two million activity records at ten years
# of heavy use: about nine minutes, bench/scale.py) may take longer than other
# tasks.
EXPORT_TIME_LIMIT = 30 * 60
if "visibility_timeout" in CELERY_BROKER_TRANSPORT_OPTIONS and (
    # The export's hard limit is a minute past its soft one (boligsocial.tasks).
    CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] <= EXPORT_TIME_LIMIT + 60
):
    raise ImproperlyConfigured("The broker's visibility timeout must exceed an export.")
# Tests only: the worker bin/test starts waits this long inside each report build,
# so that the fault test can kill it mid-build. Never read in production.
REPORT_BUILD_PAUSE = (
    0.0 if PRODUCTION else env.float("PORTAL_TEST_REPORT_PAUSE", default=0.0)
)
# A list export of more rows than this is written in the background (a job page
# shows its progress, the bell says when it is ready); fewer are downloaded at once.
EXPORT_BACKGROUND_ROWS = env.int("EXPORT_BACKGROUND_ROWS", default=2000)
# An uploaded sheet of more rows than this is checked and imported by the Celery
# worker (its page shows the progress; the person may leave and come back); fewer
# while the person waits.
IMPORT_BACKGROUND_ROWS = env.int("IMPORT_BACKGROUND_ROWS", default=1000)
# A background export's file (it may name residents) is deleted after this long.
EXPORT_KEEP = timedelta(days=env.int("EXPORT_KEEP_DAYS", default=7))
LOGIN_LOG_RETENTION = timedelta(days=env.int("LOGIN_LOG_RETENTION_DAYS", default=90))
# The most participants (or volunteers) one activity record may count: a typo such
# as 1,000,000,000,000 in a sheet is refused, naming this number.
RECORD_MAX_PARTICIPANTS = env.int("RECORD_MAX_PARTICIPANTS", default=2000)
# A closed advice case keeps its personal data this long (for a resident who comes
# back), then only what the figures count remains.
ADVICE_RETENTION_MONTHS = env.int("ADVICE_RETENTION_MONTHS", default=24)
# The safety app's rules (safety.tasks.apply_retention), each counted in calendar
# months from the start of the local day. A finding's photos go this long after it
# was fixed or closed: long enough to see the same problem come back over a season
# or a dispute about the fix settled; a photo may show residents.
FINDING_PHOTO_RETENTION_MONTHS = env.int("FINDING_PHOTO_RETENTION_MONTHS", default=6)
# A closed incident's texts (place, description, evaluation, timeline, recipients)
# go this long after it closed: the yearly review of the beredskabsplan of its year
# and the next one have it; the figures keep counting it.
INCIDENT_RETENTION_MONTHS = env.int("INCIDENT_RETENTION_MONTHS", default=24)
# A contact on the contact lists nobody has saved (edited, or saved unchanged to say
# it still holds) for this long is deleted: two yearly reviews of the plan passed it
# by, so the person has most likely moved on.
CONTACT_RETENTION_MONTHS = env.int("CONTACT_RETENTION_MONTHS", default=24)


# --- The residents' pages --------------------------------------------------------
# How residents reach BoligSocialt Hus, on every residents' page and poster: to ask,
# and to withdraw a consent as easily as they gave it. Production needs a phone or
# an e-mail; development shows invented ones (the .example domain is reserved).

RESIDENT_CONTACT = {
    "phone": env.str(
        "PORTAL_CONTACT_PHONE", default="" if PRODUCTION else "12 34 56 78"
    ).strip(),
    "email": env.str(
        "PORTAL_CONTACT_EMAIL",
        default="" if PRODUCTION else "kontakt@boligsocialt-hus.example",
    ).strip(),
    "address": env.str(
        "PORTAL_CONTACT_ADDRESS",
        default="" if PRODUCTION else "Eksempelvej 1, 5000 Odense C",
    ).strip(),
}
if PRODUCTION:
    required(
        "PORTAL_CONTACT_PHONE or PORTAL_CONTACT_EMAIL",
        RESIDENT_CONTACT,
        check=lambda v: bool(v["phone"] or v["email"]),
        expected="how residents reach BoligSocialt Hus, shown on the residents' pages",
    )

# --- The findings map ---------------------------------------------------------------
# Leaflet comes with the code; the map's background tiles from a tile server, if one
# is set ({z}/{x}/{y} in the URL, {s} for its subdomains). Without one the map shows
# the findings over a plain background and sends nothing anywhere.

MAP_TILE_URL = env.str("MAP_TILE_URL", default="")
MAP_TILE_ATTRIBUTION = env.str("MAP_TILE_ATTRIBUTION", default="")
map_tiles = urlsplit(MAP_TILE_URL)
# An http:// tile on an https:// page is blocked as mixed content.
tile_schemes = ("https",) if PRODUCTION else ("https", "http")
if MAP_TILE_URL and (map_tiles.scheme not in tile_schemes or not map_tiles.netloc):
    raise ImproperlyConfigured(
        "MAP_TILE_URL is malformed: empty, or an https:// URL with {z}/{x}/{y}."
    )
# The browser may load images from the tile server (any of its {s} subdomains).
map_tile_origins = (
    [f"{map_tiles.scheme}://{map_tiles.netloc.replace('{s}', '*')}"]
    if MAP_TILE_URL
    else []
)

# --- Security headers ------------------------------------------------------------

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", *map_tile_origins],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# What the pages may ask of the device (django-permissions-policy): only their
# position, for the maps' "where I am" button; no camera or microphone (a photo is
# chosen or taken through the file field, which needs neither), no payment, USB,
# sensors or ad topics, and no frame of another site may ask either.
PERMISSIONS_POLICY = {
    "accelerometer": [],
    "autoplay": [],
    "browsing-topics": [],
    "camera": [],
    "display-capture": [],
    "encrypted-media": [],
    "geolocation": ["self"],
    "gyroscope": [],
    "hid": [],
    "magnetometer": [],
    "microphone": [],
    "midi": [],
    "payment": [],
    "publickey-credentials-get": [],
    "serial": [],
    "usb": [],
    "xr-spatial-tracking": [],
}

if PRODUCTION:
    # TLS ends at the proxy in front of gunicorn, which sets X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    CSRF_TRUSTED_ORIGINS = [f"https://{host}" for host in ALLOWED_HOSTS]

# --- Error tracking ----------------------------------------------------------------
# With SENTRY_DSN set, every process (web, worker, beat) reports its errors to
# Sentry, stripped of anything personal first (boligsocial/error_tracking.py).

SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    from .error_tracking import start as start_error_tracking

    start_error_tracking(SENTRY_DSN, environment=PORTAL_ENVIRONMENT)

# --- Logging -----------------------------------------------------------------------

# One record is one line: control characters in it (a user name with a newline)
# are escaped, so nobody can forge an entry; times are UTC ISO-8601.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "line": {
            "()": "boligsocial.logging.LineFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "line"},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django's own handlers go: its console one writes a second, raw copy of each
        # line while DEBUG is on, and mail_admins has no ADMINS. Its records reach
        # the root's handler like every other.
        "django": {"handlers": [], "level": "INFO"},
        # SQL is logged with its parameters (names, amounts) at DEBUG: never, even
        # with LOG_LEVEL=DEBUG.
        "django.db.backends": {"level": "INFO"},
        # Authentication events (boligsocial.auth_log), whatever LOG_LEVEL says.
        "boligsocial.auth": {"level": "INFO"},
        # Axes logs the user name and address of every attempt; keep it at warnings.
        "axes": {"level": "WARNING"},
        # WeasyPrint narrates every step of a PDF at INFO.
        "weasyprint": {"level": "WARNING"},
    },
}

# --- Deletion journal (privacy and backups) ------------------------------------------
# Every erasure (an advice case or household anonymised, a Nabohjælp sign-up withdrawn
# or rejected, a contact deleted) writes an entry here: model, id and date, never
# personal data. It lives outside the database and outside the backups, so that
# `manage.py restore` can apply again what was erased after the backup was made
# (boligsocial/journal.py). On disk: the folder PORTAL_JOURNAL_DIR, on persistent
# storage shared by web and worker and not in MEDIA_ROOT (its own volume in
# compose). With S3_BUCKET: the bucket's S3_JOURNAL_PREFIX ("journal/"), beside
# the files'. One bucket (or one pair of prefixes) per portal: two portals sharing a
# journal would erase each other's rows on a restore.
JOURNAL_DIR = Path(env.str("PORTAL_JOURNAL_DIR", default=str(VAR_DIR / "journal")))
if env.str("PORTAL_DELETION_JOURNAL", default=""):
    # The journal was one file before: never start without the erasures it holds.
    raise ImproperlyConfigured(
        "PORTAL_DELETION_JOURNAL is no longer read: move that file into "
        f"PORTAL_JOURNAL_DIR ({JOURNAL_DIR}), where it is read as it is, and "
        "remove the setting."
    )
if S3_BUCKET:
    STORAGES["journal"] = s3_setting(
        S3_BUCKET, **S3_CONNECTION, prefix=S3_JOURNAL_PREFIX
    )
else:
    STORAGES["journal"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(JOURNAL_DIR), "base_url": None},
    }
# --- End of the deletion journal block -----------------------------------------------

# --- Database outage -----------------------------------------------------------------
# A restarted or unreachable PostgreSQL: a request that needs it gets a 503 "try again"
# page at once (boligsocial/outage.py) instead of a 500 or a wait, and the portal
# carries on by itself when the database is back (bin/load --db-restart measures it).
# Outside every middleware that touches the database (sessions, users, second factor).
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware"),
    "boligsocial.outage.DatabaseOutageMiddleware",
)
# Django's database sessions; but a session that cannot be saved because the database
# is gone gives that 503 page, not a 400 "session interrupted" (boligsocial/sessions).
SESSION_ENGINE = "boligsocial.sessions"
# A connection kept between requests (DATABASE_CONN_MAX_AGE > 0) is checked before a
# request reuses it, so the first request after a restart does not fail on it.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A connection to a server that does not answer (a dropped network, a host that
    # is gone) waits for ever; give up after 3 s. A request may try twice (the
    # session is read, then saved), so the person gets the 503 page within 6 s. A
    # working PostgreSQL accepts a connection in milliseconds.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 3)
    # No JIT compiling: it pays off for queries that run for seconds, and the
    # portal's run for milliseconds. The planner's estimates for the figures'
    # correlated subqueries cross its threshold all the same, and at ten years of
    # data a 20 ms advice query spent 18 ms compiling itself (bench/scale.py).
    options = DATABASES["default"]["OPTIONS"].get("options", "")
    DATABASES["default"]["OPTIONS"]["options"] = f"{options} -c jit=off".strip()
# --- End of the database outage block -------------------------------------------------

# --- Health and fault tolerance ---------------------------------------------------
# /health/ and /health/ready/ (boligsocial/health.py) are not public: a monitor sends
# "Authorization: Bearer <HEALTH_TOKEN>"; empty turns token access off (coordinators
# and admins who are signed in may still look).
HEALTH_TOKEN = env.str("HEALTH_TOKEN", default="")
if PRODUCTION:
    required(
        "HEALTH_TOKEN",
        HEALTH_TOKEN,
        check=lambda v: not v or len(v) >= 32,
        expected="empty, or at least 32 random characters",
    )
# The longest a web request waits for Redis: to connect, and for each answer. A Redis
# that is down refuses at once; one that hangs (a dropped network) would otherwise
# hold the request for minutes. Used by the cache, by the web's queueing of tasks
# (boligsocial.celery.enqueue; the worker keeps kombu's own timeouts) and by the
# health checks. Loopback Redis answers in well under a millisecond.
REDIS_TIMEOUT = env.float("REDIS_TIMEOUT", default=1.0)
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # With Redis away, the rate limits count in each process's memory instead of
    # failing the page (boligsocial/cache.py).
    CACHES["default"]["BACKEND"] = "boligsocial.cache.RedisOrLocalCache"
    CACHES["default"].setdefault("OPTIONS", {}).update(
        socket_connect_timeout=REDIS_TIMEOUT, socket_timeout=REDIS_TIMEOUT
    )
# --- End of the health and fault tolerance block --------------------------------
