"""One env-driven settings module.

Embedded default (no environment): SQLite file, in-process broker, DEBUG off,
a secret key made once and kept in var/secret_key (next to the database).
Production: DJANGO_ENV=production, SECRET_KEY, DATABASE_URL, REDIS_URL,
ALLOWED_HOSTS (README lists every variable). Outside DEBUG and the test suite,
a server with DATABASE_URL or DJANGO_ENV=production refuses to start without
SECRET_KEY.
"""

import os
import secrets
import sys
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# DJANGO_ENV=production: secrets from the environment, HTTPS-only cookies, HSTS.
PRODUCTION = env.str("DJANGO_ENV", default="development") == "production"
TESTING = "pytest" in sys.modules or sys.argv[1:2] == ["test"]
DEBUG = env.bool("DJANGO_DEBUG", default=False)
# Only for DEBUG and the test suite; ``check --deploy`` flags the prefix.
DEV_SECRET_KEY = "django-insecure-dev-only-shanghui-crm-0123456789abcdefghijklmnopqrstuvwxyz"
_PUBLIC_KEYS = {DEV_SECRET_KEY, "dev-only-insecure-key-change-me-in-production-0123456789abcdef"}
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "import_export",
    # ``tasks`` before django_dramatiq: its rundramatiq refuses the in-process broker.
    "tasks",
    "django_dramatiq",
    "crm.core",
    "crm.customers",
    "crm.activities",
    "crm.sales",
    "crm.service",
    "crm.marketing",
    "crm.messaging",
    "crm.office",
    "crm.imports",
    "crm.reports",
    "crm.care",
    "crm.targets",
    "crm.sync",
    "workflows",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "crm.core.middleware.UserLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "crm.core.middleware.AdminScopeMiddleware",
    # Oversized bodies answer 413 JSON before any view reads them.
    "crm.core.limits.RequestSizeLimitMiddleware",
    # Last: turns a locked-out login attempt into the JSON lockout answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "crm.urls"
WSGI_APPLICATION = "crm.wsgi.application"
AUTH_USER_MODEL = "core.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "crm" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
DATABASE_ROUTERS = ["crm.db_router.ReplicaRouter"]
SQLITE_PATH = env.str("SQLITE_PATH", default=str(BASE_DIR / "var" / "crm.sqlite3"))
if env.str("DATABASE_URL", default=""):
    DATABASES = {"default": env.db("DATABASE_URL")}
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Behind PgBouncer in transaction mode (docs/scaling.md) a connection's session
    # is not ours between transactions: no server-side cursors (``.iterator()``
    # outside a transaction would open a WITH HOLD cursor on one server connection
    # and fetch from another). The app keeps no other session state.
    DATABASE_POOLER = env.str("DATABASE_POOLER", default="")
    if DATABASE_POOLER == "pgbouncer":
        DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    # Prepared statements: a list page's query is planned once per connection,
    # not per request (planning its joins costs PostgreSQL more than running
    # them). Parameters are bound on the server, and psycopg prepares a query
    # the second time a connection sees it. Not behind PgBouncer in transaction
    # mode: a statement prepared on one server connection is unknown on the next.
    DATABASE_PREPARED = env.bool("DATABASE_PREPARED", default=DATABASE_POOLER != "pgbouncer")
    if DATABASE_PREPARED:
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            server_side_binding=True, prepare_threshold=2
        )
    # Reports and exports read from a replica when one is configured (crm/db_router.py).
    if env.str("DATABASE_REPLICA_URL", default=""):
        DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
        DATABASES["replica"].setdefault("CONN_MAX_AGE", DATABASES["default"]["CONN_MAX_AGE"])
        DATABASES["replica"]["CONN_HEALTH_CHECKS"] = True
        DATABASES["replica"]["DISABLE_SERVER_SIDE_CURSORS"] = DATABASE_POOLER == "pgbouncer"
        # Tests have one database: the replica alias reads the test database.
        DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
else:
    Path(SQLITE_PATH).parent.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": SQLITE_PATH,
            # Worker threads write concurrently: wait instead of "database is locked".
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
            # Tests use a file too (one per test process, in RAM where there is one): the
            # in-memory default is a shared-cache database whose table locks fail at once
            # ("database table is locked") instead of waiting: real worker threads break.
            "TEST": {
                "NAME": env.str(
                    "SQLITE_TEST_PATH",
                    default=str(
                        (
                            Path("/dev/shm")
                            if Path("/dev/shm").is_dir()
                            else Path(SQLITE_PATH).parent
                        )
                        / f"shanghui-test-{os.getpid()}.sqlite3"
                    ),
                )
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


def _embedded_secret_key() -> str:
    """The one-machine default's key: random, made on the first start, kept in var/."""
    path = Path(SQLITE_PATH).parent / "secret_key"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    key = secrets.token_urlsafe(50)
    with os.fdopen(fd, "w") as f:
        f.write(key)
    return key


SECRET_KEY = env.str("SECRET_KEY", default="")
if DEBUG or TESTING:
    SECRET_KEY = SECRET_KEY or DEV_SECRET_KEY
elif not SECRET_KEY and not PRODUCTION and not env.str("DATABASE_URL", default=""):
    SECRET_KEY = _embedded_secret_key()
elif not SECRET_KEY or SECRET_KEY in _PUBLIC_KEYS:
    raise ImproperlyConfigured(
        "SECRET_KEY is not set (or is the public development key): set SECRET_KEY in the "
        "environment or .env to a long random value, e.g. the output of "
        "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`. "
        "DJANGO_DEBUG=1 allows the development key, for development only."
    )

# --- Broker ---------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
DRAMATIQ_MIDDLEWARE = [
    "dramatiq.middleware.AgeLimit",
    "dramatiq.middleware.TimeLimit",
    "dramatiq.middleware.Callbacks",
    "dramatiq.middleware.Retries",
    "django_dramatiq.middleware.DbConnectionsMiddleware",
]
if REDIS_URL:
    DRAMATIQ_BROKER = {
        "BROKER": "dramatiq.brokers.redis.RedisBroker",
        "OPTIONS": {
            "url": REDIS_URL,
            "namespace": env.str("DRAMATIQ_NAMESPACE", default="shanghui"),
            # Orphaned messages of a killed worker come back quickly; the
            # database Reminder row is what guarantees delivery anyway.
            "maintenance_chance": env.int("DRAMATIQ_MAINTENANCE_CHANCE", default=50),
            "heartbeat_timeout": env.int("DRAMATIQ_HEARTBEAT_TIMEOUT_MS", default=15000),
        },
        "MIDDLEWARE": DRAMATIQ_MIDDLEWARE,
    }
else:
    DRAMATIQ_BROKER = {
        "BROKER": "dramatiq.brokers.stub.StubBroker",
        "OPTIONS": {},
        "MIDDLEWARE": DRAMATIQ_MIDDLEWARE,
    }
DRAMATIQ_AUTODISCOVER_MODULES = ["actors"]
# How often ``rundramatiq`` tries Redis before it gives up with an error (the
# pauses double from 0.5 s: 5 attempts wait 7.5 s in all).
WORKER_BROKER_ATTEMPTS = env.int("WORKER_BROKER_ATTEMPTS", default=5)
# The longest pause of an idle worker between two polls of Redis (``rundramatiq``).
DRAMATIQ_WORKER_POLL_MAX_MS = env.int("DRAMATIQ_WORKER_POLL_MAX_MS", default=100)

# --- Scheduler ------------------------------------------------------------
# The loop wakes at the next due moment, at most this long apart (new rows are seen
# within it) and at least SCHEDULER_MIN_INTERVAL_SECONDS apart.
SCHEDULER_INTERVAL_SECONDS = env.float("SCHEDULER_INTERVAL_SECONDS", default=1.0)
SCHEDULER_MIN_INTERVAL_SECONDS = env.float("SCHEDULER_MIN_INTERVAL_SECONDS", default=0.1)
# A reminder claimed but not delivered within this time is enqueued again.
SCHEDULER_STALE_CLAIM_SECONDS = env.int("SCHEDULER_STALE_CLAIM_SECONDS", default=60)
SCHEDULER_BATCH_SIZE = env.int("SCHEDULER_BATCH_SIZE", default=1000)
# Reminder ids per delivery message (one worker delivers them with a few queries).
SCHEDULER_MESSAGE_SIZE = env.int("SCHEDULER_MESSAGE_SIZE", default=50)
# Claim no more while this many deliveries wait on the broker (backpressure).
SCHEDULER_MAX_BACKLOG = env.int("SCHEDULER_MAX_BACKLOG", default=4000)
# How often the loop hands imports with a dead worker or a lost message to a worker again.
SCHEDULER_IMPORT_RECOVERY_SECONDS = env.float("SCHEDULER_IMPORT_RECOVERY_SECONDS", default=30.0)
# How often the scheduler enqueues the "submit your daily plan" check.
SCHEDULER_PLAN_CHECK_SECONDS = env.float("SCHEDULER_PLAN_CHECK_SECONDS", default=300.0)
# The care tick (birthdays, anniversaries, festivals) is daily work; hourly is plenty.
SCHEDULER_CARE_SECONDS = env.float("SCHEDULER_CARE_SECONDS", default=3600.0)
# Messaging: how often the loop hands over due deliveries and starts or completes
# mass sends; when a worker's claim counts as lost; the messaging queue's bound.
SCHEDULER_MESSAGING_SECONDS = env.float("SCHEDULER_MESSAGING_SECONDS", default=1.0)
MESSAGING_STALE_CLAIM_SECONDS = env.float("MESSAGING_STALE_CLAIM_SECONDS", default=120.0)
MESSAGING_MAX_BACKLOG = env.int("MESSAGING_MAX_BACKLOG", default=40)
# The loop lock's lease (tasks/scheduler.py ``_Lease``): renewed every third of it;
# a scheduler that stalls longer hands the loop to a waiting one.
SCHEDULER_LEASE_SECONDS = env.float("SCHEDULER_LEASE_SECONDS", default=30.0)

# --- Auth -----------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses locked-out logins first
    "crm.core.throttling.AddressLockoutBackend",  # then addresses over the failure limit
    "django.contrib.auth.backends.ModelBackend",
]
# Failed sign-ins per client address across usernames (crm.core.throttling): this many
# within the window refuse every username from that address until the window ends (0: off).
LOGIN_FAILURES_PER_ADDRESS = env.int("LOGIN_FAILURES_PER_ADDRESS", default=30)
LOGIN_FAILURE_WINDOW_MINUTES = env.float("LOGIN_FAILURE_WINDOW_MINUTES", default=15.0)
# Sign-ups per client address (DRF rate: <n>/<second|minute|hour|day>; empty: no limit).
SIGNUP_THROTTLE_RATE = env.str("SIGNUP_THROTTLE_RATE", default="5/hour")
# Public lead forms (/f/<key>/): submissions per client address per window ("count/seconds").
LEAD_FORM_RATE = env.str("LEAD_FORM_RATE", default="5/600")
# API tokens (crm.core.models.ApiToken) expire this many days after they are issued.
API_TOKEN_TTL_DAYS = env.int("API_TOKEN_TTL_DAYS", default=30)
# Backups made in the background (crm.imports.backup_jobs): how long a download link
# works, in seconds, and how many of a company's newest backups keep their files.
BACKUP_LINK_MAX_AGE = env.int("BACKUP_LINK_MAX_AGE", default=3600)
BACKUP_KEEP = env.int("BACKUP_KEEP", default=5)
# The address invitation and password-reset mails link to (default: the request's host).
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="")
INVITATION_THROTTLE_RATE = env.str("INVITATION_THROTTLE_RATE", default="120/hour")
# Proxies in front of the app that append to X-Forwarded-For (0: the peer's address is the
# client's): the per-address limits and django-axes read the client's address through them.
PROXY_COUNT = env.int("PROXY_COUNT", default=0)
if PROXY_COUNT:
    AXES_IPWARE_PROXY_COUNT = PROXY_COUNT
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
# Brute-force lockout (django-axes) on the login and token endpoints. Off in the
# test suite (the lockout test turns it on) unless AXES_ENABLED says otherwise.
AXES_ENABLED = env.bool("AXES_ENABLED", default=not TESTING)
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_MINUTES", default=15.0) / 60  # hours
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_CALLABLE = "crm.core.limits.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "crm.core.passwords.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# The limits' counters: shared by every process through Redis when REDIS_URL is set.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # Apart from the broker's keys ("<namespace>:..."), which may share the database.
            "KEY_PREFIX": env.str(
                "CACHE_KEY_PREFIX", default=DRAMATIQ_BROKER["OPTIONS"]["namespace"] + "-cache"
            ),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- i18n -----------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

# --- Static ---------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
# Uploaded files (attachments): local files under var/media by default; an
# S3-compatible object store through django-storages when STORAGE_BACKEND names
# it (e.g. storages.backends.s3.S3Storage with its AWS_* settings; see README).
MEDIA_ROOT = env.str("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media"))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {
        "BACKEND": env.str("STORAGE_BACKEND", default="django.core.files.storage.FileSystemStorage")
    },
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_BACKEND",
            default="django.contrib.staticfiles.storage.StaticFilesStorage",
        )
    },
}
WHITENOISE_USE_FINDERS = True

# The web app (frontend/, built by `make run` / `make test` into frontend/dist):
# WhiteNoise serves the build at the site root; Vite's hashed /assets/* files
# never change, so they are cached for a year. crm/core/spa.py serves index.html.
# FRONTEND_DIST may point elsewhere (parallel checkouts building their own app).
FRONTEND_DIST = Path(env.str("FRONTEND_DIST", default=str(BASE_DIR / "frontend" / "dist")))
if FRONTEND_DIST.is_dir():
    WHITENOISE_ROOT = FRONTEND_DIST


def _vite_asset_is_immutable(path: str, url: str) -> bool:
    import re

    return bool(re.match(r"^/?assets/.+-[A-Za-z0-9_-]{8}\.[a-z0-9]+$", url.removeprefix("/")))


WHITENOISE_IMMUTABLE_FILE_TEST = _vite_asset_is_immutable


def _pwa_headers(headers, path: str, url: str) -> None:
    # /sw.js, /manifest.webmanifest and /index.html are revalidated on every use (issue 18).
    from crm.core.spa import pwa_headers

    pwa_headers(headers, path, url)


WHITENOISE_ADD_HEADERS_FUNCTION = _pwa_headers
# WhiteNoise's own table lacks the web app manifest's type.
WHITENOISE_MIMETYPES = {".webmanifest": "application/manifest+json"}

# --- Mail -----------------------------------------------------------------
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="noreply@shanghui-crm.local")
APP_BASE_URL = env.str("APP_BASE_URL", default="http://127.0.0.1:8000")

# --- REST -----------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "crm.core.api.authentication.TokenAuthentication",  # token + user + tenant: 1 query
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "crm.core.api.pagination.Pagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": [
        "crm.core.api.filters.TenantFilterBackend",
        "crm.core.api.filters.OrderingFilter",  # names by pinyin
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "crm.core.api.errors.exception_handler",
    # JSON with a nesting limit (crm.core.api.parsers): deep bodies answer 400, not 500.
    "DEFAULT_PARSER_CLASSES": [
        "crm.core.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Shanghui CRM API",
    "DESCRIPTION": "商慧 CRM REST API (v1)",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # One operation per transition step, each with the step's own body.
    "PREPROCESSING_HOOKS": ["workflows.schema.one_operation_per_step"],
}

# Request bodies: a non-file body over this answers 413 (crm.core.limits); a
# multipart upload (imports, documents) may be up to FILE_UPLOAD_LIMIT.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=5 * 1024 * 1024)
FILE_UPLOAD_LIMIT = env.int("FILE_UPLOAD_LIMIT", default=50 * 1024 * 1024)
# An xlsx import may unpack to this much in all, and no large part of it to more
# than this many times its packed size (decompression bombs: crm.imports.formats).
IMPORT_XLSX_MAX_UNPACKED = env.int("IMPORT_XLSX_MAX_UNPACKED", default=200 * 1024 * 1024)
IMPORT_XLSX_MAX_RATIO = env.int("IMPORT_XLSX_MAX_RATIO", default=100)

# --- Security (production) -------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if PRODUCTION:
    # Behind a TLS-terminating proxy set SECURE_PROXY_SSL_HEADER=1 (X-Forwarded-Proto).
    if env.bool("SECURE_PROXY_SSL_HEADER", default=False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^health/$"]
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=True)
    CSRF_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=True)
elif not DEBUG:
    SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=False)
    CSRF_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
