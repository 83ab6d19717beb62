"""Settings for the test suite: production settings with fast, local stand-ins."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key")
os.environ.setdefault("FIELD_ENCRYPTION_KEY", "dGVzdC1vbmx5LWZpZWxkLWVuY3J5cHRpb24ta2V5MzI=")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("SITE_URL", "http://testserver")

from config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
# Login throttling has its own test, which turns it back on.
AXES_ENABLED = False
# Tasks run inline, in the test's own transaction.
Q_CLUSTER = {**Q_CLUSTER, "sync": True}  # noqa: F405
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
# Do not index a collected staticfiles/ folder at every test client's start.
WHITENOISE_AUTOREFRESH = True
