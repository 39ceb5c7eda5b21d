"""Settings for the clinic project, read from the environment.

One file for every environment. It fails closed: debug is off unless
DJANGO_DEBUG asks for it, production refuses to start without a real secret
key, and cookies are secure whenever debug is off.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
import pghistory
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from clinic.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DJANGO_DEBUG", default=False)

# A development key is accepted only while debugging; anything else needs a real one.
_DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105
SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it to a long random value "
            "(or DJANGO_DEBUG=true for local development)."
        )
    SECRET_KEY = _DEV_SECRET_KEY
elif SECRET_KEY == _DEV_SECRET_KEY and not DEBUG:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY is the development key; set a real one.")

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "django_ratelimit",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "pgtrigger",
    "pghistory",
    "consultations.patients",
    "consultations.catalog",
    "consultations.intake",
    "consultations.screening",
    "consultations.review",
    "consultations.booking",
    "consultations.audit",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "clinic.logs.RequestIdMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "consultations.patients.middleware.PrivatePagesMiddleware",
    "consultations.audit.middleware.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Staff: sessions that end (15 minutes idle, 12 hours in all), then the second factor.
    "consultations.patients.middleware.SecondFactorMiddleware",  # django-otp's OTPMiddleware
    "consultations.patients.middleware.StaffSessionExpiryMiddleware",
    "consultations.patients.middleware.SecondFactorRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "clinic.urls"
# Form widgets render through the project's template settings (and their cached loader), so
# templates/django/forms/ can replace a widget template; the select is written in Python, for
# speed (clinic/forms_renderer.py).
FORM_RENDERER = "clinic.forms_renderer.ClinicFormRenderer"
WSGI_APPLICATION = "clinic.wsgi.application"
ASGI_APPLICATION = "clinic.asgi.application"

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
                "django.template.context_processors.csp",
                "consultations.patients.context_processors.roles",
                # One masked CSRF token per response (clinic/csrf.py), for Django's csrf_token.
                "clinic.csrf.csrf",
            ],
        },
    },
]

# Database: DATABASE_URL, or a local SQLite file for a quick `make run`. Connections persist
# (a minute by default without debug, checked before reuse), so a request does not pay for a
# new PostgreSQL connection. DATABASE_REPLICA_URL, when set, names a streaming replica that the
# read-only pages marked `@read_replica` read from (clinic/db_router.py).
_CONN_MAX_AGE = env_int("DJANGO_CONN_MAX_AGE", 0 if DEBUG else 60)
# The hot reads (consultations/db.py, Prepared) are PREPAREd on each PostgreSQL connection and
# planned once there: worth it while connections persist. Off behind PgBouncer in transaction
# mode, which hands a session's statements to another client (docs/operations.md).
DATABASE_PREPARED_STATEMENTS = env_bool("DJANGO_DB_PREPARED_STATEMENTS", _CONN_MAX_AGE > 0)
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=_CONN_MAX_AGE,
        conn_health_checks=True,
    )
}
if env_str("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        env_str("DATABASE_REPLICA_URL"), conn_max_age=_CONN_MAX_AGE, conn_health_checks=True
    )
    # In tests the replica is the primary itself (Django's test mirror).
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["clinic.db_router.ReadReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Change history (consultations/audit): PostgreSQL triggers written by django-pghistory. Each
# event row carries its own context (who, from where), so the history is self-contained and
# append-only. The triggers are installed after every `migrate` on PostgreSQL (none on SQLite),
# so the rooms' own migrations do not carry the audit's triggers.
PGTRIGGER_MIGRATIONS = False
PGTRIGGER_INSTALL_ON_MIGRATE = True
# An event table keeps only the indexes its reads use: its key and the object's id (an
# object's history, `pgh_obj`; consultations/audit/models.py). The foreign keys it copies from
# the tracked row (a patient, a product) are not indexed there: nothing reads the history by
# them, and each index would be one more entry to write with every change of patient data.
PGHISTORY_FOREIGN_KEY_FIELD = pghistory.ForeignKey(db_index=False)

AUTH_USER_MODEL = "patients.User"
LOGIN_URL = "patients:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Passwords as OWASP ASVS 5.0 (V6.2): length, not composition. At least 8 characters (12 for
# staff), up to 128, not a common password, not close to the account's own name or email.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {
        "NAME": "consultations.patients.passwords.StaffMinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {
        "NAME": "consultations.patients.passwords.MaximumLengthValidator",
        "OPTIONS": {"max_length": 128},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# A password-reset link works once (Django's token changes with the password) and for an hour.
PASSWORD_RESET_TIMEOUT = 60 * 60
if env_bool("DJANGO_FAST_PASSWORD_HASHER", default=False):
    # Tests and benchmarks only: hashing strength is not what they measure.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Internationalisation: English and Vietnamese for patients.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("vi", _("Vietnamese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env_str("DJANGO_TIME_ZONE", "UTC")
# The clinic's country (ISO 3166 code): phone numbers typed without a country code are read as
# dialled there, and numbers of that country are shown in its national format.
CLINIC_PHONE_REGION = env_str("CLINIC_PHONE_REGION", "VN").upper()
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("DJANGO_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
# Served by WhiteNoise: compressed (gzip, Brotli) with hashed names, so browsers cache them for a
# year, in production. Debugging and the tests read the files as they are
# (DJANGO_STATIC_MANIFEST=false); `make serve` runs `collectstatic` first.
STATIC_MANIFEST = env_bool("DJANGO_STATIC_MANIFEST", default=not DEBUG)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
if STATIC_MANIFEST:
    # Straight from the app, before any session or database work (after SecurityMiddleware,
    # so static files get HSTS and nosniff too). Far-future caching for the hashed names.
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

# Cache: Redis when REDIS_URL is set (shared by every worker and host), else this process's
# memory, which is right for a single-process local run.
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    # Sessions read from Redis and written through to the database: any host can serve any
    # request, and a Redis restart logs nobody out.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    # Django's own Redis backend increments atomically; django-ratelimit just does not list it.
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # Sessions in the database (Django's store, its read compiled once per process).
    SESSION_ENGINE = "consultations.patients.session_store"
    # Per-process counting is exact for one process; several workers need REDIS_URL.
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]

# The public screening API: requests per client address.
SCREENING_API_RATE = env_str("SCREENING_API_RATE", "60/m")

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Email (Django 6.1 mailers): printed to the console while debugging, SMTP otherwise.
_EMAIL_BACKEND = env_str(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
_SMTP_OPTIONS = {
    "host": env_str("DJANGO_EMAIL_HOST", "localhost"),
    "port": env_int("DJANGO_EMAIL_PORT", 25),
    "username": env_str("DJANGO_EMAIL_HOST_USER"),
    "password": env_str("DJANGO_EMAIL_HOST_PASSWORD"),
    "use_tls": env_bool("DJANGO_EMAIL_USE_TLS", default=False),
    "timeout": env_int("DJANGO_EMAIL_TIMEOUT", 10),
}
MAILERS = {
    "default": {
        "BACKEND": _EMAIL_BACKEND,
        "OPTIONS": _SMTP_OPTIONS if _EMAIL_BACKEND.endswith("smtp.EmailBackend") else {},
    }
}
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", "clinic@example.com")
# Where the clinic's site is reached, for links in emails sent outside a request.
CLINIC_BASE_URL = env_str("CLINIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# Background tasks (Django's tasks framework): stored in the database and run by the worker
# process, `python manage.py db_worker` (django-tasks-db). Tests use this backend too and run
# the worker, so what is tested is what runs.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Security headers and cookies. Secure cookies and HSTS whenever debug is off.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
# Production asks browsers to preload HTTPS-only (the site and its subdomains are HTTPS-only
# already); DJANGO_HSTS_PRELOAD=false for a domain that cannot make that promise.
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", default=not DEBUG)
# A load balancer's probes may come over plain HTTP from inside the network.
SECURE_REDIRECT_EXEMPT = [r"^livez$", r"^readyz$", r"^healthz$"]
# /healthz asks the task worker for a heartbeat (clinic/health.py); off where none runs.
HEALTH_CHECKS_WORKER = env_bool("HEALTH_CHECKS_WORKER", default=True)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("DJANGO_BEHIND_TLS_PROXY") else None
)
# How many reverse proxies in front of the app append to X-Forwarded-For (0: none, trust
# REMOTE_ADDR). Used only to record where a consent was signed from.
TRUSTED_PROXY_COUNT = env_int("DJANGO_TRUSTED_PROXY_COUNT", 0)
# Request bodies: the clinic accepts no file uploads (no FileField, no request.FILES), and
# its largest form is a few kilobytes of answers. A body over 1 MB is refused (400; the
# screening API answers 413) before it is read into memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = 1_048_576
FILE_UPLOAD_MAX_MEMORY_SIZE = 1_048_576
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1_000
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Content Security Policy: every script and style is served from our own origin.
SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
    "base-uri": ["'self'"],
    "object-src": ["'none'"],
}

# Logging in. Django-axes watches every password attempt (its backend comes first): five
# failures for one account from one address lock that pair out for 15 minutes, so an attacker
# elsewhere cannot lock a real user out; an address trying many accounts is held back by the
# per-address rate on the login form (LOGIN_RATE_PER_ADDRESS). Then Django's ModelBackend,
# with the signed-in user and their roles read in one query (consultations/patients/backends.py).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "consultations.patients.backends.ClinicBackend",
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"  # the login form's field holding the email address
AXES_USERNAME_CALLABLE = "consultations.patients.security.axes_username"
AXES_CLIENT_IP_CALLABLE = "consultations.patients.security.client_ip"
AXES_LOCKOUT_TEMPLATE = "patients/locked_out.html"
AXES_HTTP_RESPONSE_CODE = 429
# Security events (ASVS V16): every login and logout (AccessLog) and every failed attempt
# (AccessFailureLog, up to 1,000 per account) with time, address and browser, in the admin.
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_VERBOSE = False  # no banner on standard error (commands print their own output there)
# Rates (django-ratelimit) per client address, on POST: the login form, registration and the
# password-reset request (also per email address asked for).
LOGIN_RATE_PER_ADDRESS = env_str("LOGIN_RATE_PER_ADDRESS", "30/10m")
REGISTRATION_RATE = env_str("REGISTRATION_RATE", "10/h")
PASSWORD_RESET_RATE = env_str("PASSWORD_RESET_RATE", "10/h")
PASSWORD_RESET_RATE_PER_EMAIL = env_str("PASSWORD_RESET_RATE_PER_EMAIL", "3/h")

# The second factor (django-otp): clinicians, the front desk and admins confirm every login
# with a TOTP code or a single-use recovery code (SecondFactorRequiredMiddleware).
OTP_TOTP_ISSUER = "Skin Clinic"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
RECOVERY_CODE_COUNT = 10
# Staff sessions end after this long without a request, and this long after logging in.
STAFF_SESSION_IDLE_TIMEOUT = timedelta(minutes=15)
STAFF_SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=12)

DEMO_PASSWORD_DEFAULT = "clinic-demo-2026"  # noqa: S105 - demo accounts only, printed by seed_demo

# Logs: one JSON object per line on standard error in production (time, level, logger, message,
# the request's id and, for requests, method, path, status and duration: clinic/logs.py), for
# journald or a log shipper; plain lines while debugging. DJANGO_LOG_FORMAT=json|plain.
LOG_FORMAT = env_str("DJANGO_LOG_FORMAT", "plain" if DEBUG else "json")
if LOG_FORMAT not in {"json", "plain"}:
    raise ImproperlyConfigured("DJANGO_LOG_FORMAT must be json or plain.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "clinic.logs.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "clinic.logs.JsonFormatter"},
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        # One line per history trigger after every migrate is noise; failures still show.
        "pgtrigger": {"level": "WARNING"},
        # Requests are logged once, by clinic.logs.RequestIdMiddleware, with their duration.
        "django.server": {"level": "WARNING"},
    },
}
