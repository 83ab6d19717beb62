"""The soak's settings: a dedicated database and Redis index, production-like Django.

DEBUG is off as in production, so every secret is named here (fresh random ones per
soak); HTTPS redirects and secure cookies are off only because everything is loopback
HTTP. Knobs shortened for the soak (the task timeout and retry) are listed in SOAK_KNOBS.
"""

import os
import secrets
from urllib.parse import urlsplit, urlunsplit

from cryptography.fernet import Fernet

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/plezi_soak"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/13"
# The sync's lease and recovery delay are production's (config/settings.py); the task
# timeout and retry are shortened so a killed task's retry shows within the soak
# (production: 1800 and 1900 s). `--production-timings` keeps production's.
PRODUCTION_KNOBS = {
    "Q_WORKERS": "2",
    "SYNC_LEASE_SECONDS": "30",
    "SYNC_RECOVER_SECONDS": "10",
}
SOAK_KNOBS = {**PRODUCTION_KNOBS, "Q_TIMEOUT": "120", "Q_RETRY": "150"}


def knobs(*, production: bool) -> dict[str, str]:
    return dict(PRODUCTION_KNOBS if production else SOAK_KNOBS)


# Variables of the caller's shell that would change what the soak runs against.
DROPPED = ("Q_SYNC", "DJANGO_SETTINGS_MODULE", "CACHE_URL", "DEBUG")


def child_env(
    *, database_url: str, redis_url: str, web_port: int, sandbox_url: str, production: bool
) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in DROPPED}
    env.update(knobs(production=production))
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "FIELD_ENCRYPTION_KEY": Fernet.generate_key().decode(),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SITE_URL": f"http://127.0.0.1:{web_port}",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "ZOHO_SANDBOX_URL": sandbox_url,
            "SECURE_SSL_REDIRECT": "false",
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            "SECURE_HSTS_SECONDS": "0",
            # Visitors come from many addresses; the soak posts from one.
            "PUBLIC_FORM_RATE_LIMIT": "1000000",
            "LOG_LEVEL": "INFO",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def database_reset(database_url: str) -> None:
    """Drop and create the soak's database (never the project's own)."""
    import psycopg

    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    if not name.startswith("plezi_soak"):
        raise SystemExit(
            f"Refusing to drop {name!r}: the soak's database name starts with plezi_soak."
        )
    admin = urlunsplit(parts._replace(path="/postgres"))
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=5) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as error:
        raise SystemExit(f"PostgreSQL is not reachable ({parts.hostname}): {error}") from None


def redis_reset(redis_url: str) -> None:
    """Empty the soak's Redis database (its own index: the queue and the limiter keys)."""
    import redis

    client = redis.Redis.from_url(redis_url, socket_connect_timeout=5)
    try:
        client.ping()
    except redis.ConnectionError as error:
        raise SystemExit(f"Redis is not reachable at {redis_url}: {error}") from None
    client.flushdb()
    client.close()
