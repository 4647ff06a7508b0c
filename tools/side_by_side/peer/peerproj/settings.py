"""
The side-by-side peer: the benchmark's Django + DRF + djangorestframework-simplejwt 5.5.1 project
(../shared/bench/peer-simplejwt), extended with simplejwt's sliding views and a DRF registration
view, so every error of Sesame's /api/ surface has a counterpart. Set by run.sh:

  SBS_DATA            directory of the SQLite database
  SBS_LANGUAGE        LANGUAGE_CODE (default zh-hans, as the benchmark peer)
  SBS_ACCEPT_LANGUAGE 1: Django's LocaleMiddleware negotiates per request (Sesame's accept_language)
  SBS_ALGORITHM       HS256 (default; signing key SBS_SIGNING_KEY, the one Sesame gets too) | RS256
                      (SBS_RSA_PRIVATE / SBS_RSA_PUBLIC: PEM files)
"""
import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ["SBS_DATA"])
ALGORITHM = os.environ.get("SBS_ALGORITHM", "HS256")

SECRET_KEY = os.environ["SBS_SIGNING_KEY"]
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt",
    "rest_framework_simplejwt.token_blacklist",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
if os.environ.get("SBS_ACCEPT_LANGUAGE") == "1":
    # Where Django's documentation puts it: after sessions, before CommonMiddleware.
    MIDDLEWARE.insert(2, "django.middleware.locale.LocaleMiddleware")

ROOT_URLCONF = "peerproj.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
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
WSGI_APPLICATION = "peerproj.wsgi.application"

DATABASES = {
    "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": DATA_DIR / "peer.sqlite3"}
}

# A cheap hasher: hashing costs time, never changes an answer.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Django's defaults for a new project: what Sesame's registration applies.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = os.environ.get("SBS_LANGUAGE", "zh-hans")
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": (
        "rest_framework_simplejwt.authentication.JWTAuthentication",
    ),
}

# Sesame's defaults (sesame.example.toml), which run.sh leaves as they are.
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=5),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=1),
    "SLIDING_TOKEN_LIFETIME": timedelta(minutes=5),
    "SLIDING_TOKEN_REFRESH_LIFETIME": timedelta(days=1),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": False,
    "ALGORITHM": ALGORITHM,
    "AUTH_HEADER_TYPES": ("Bearer",),
}
if ALGORITHM.startswith("RS"):
    SIMPLE_JWT["SIGNING_KEY"] = Path(os.environ["SBS_RSA_PRIVATE"]).read_text()
    SIMPLE_JWT["VERIFYING_KEY"] = Path(os.environ["SBS_RSA_PUBLIC"]).read_text()
else:
    SIMPLE_JWT["SIGNING_KEY"] = os.environ["SBS_SIGNING_KEY"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False}},
}
