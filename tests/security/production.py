"""manage.py run as production runs it: a clean environment, no .env file, DEBUG unset."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet

BASE_DIR = Path(__file__).resolve().parents[2]

# Runs manage.py without reading a developer's .env: this test is about what the
# settings do with the environment production gives them, and nothing else.
MANAGE_WITHOUT_DOTENV = (
    "import runpy, sys, environ\n"
    "environ.Env.read_env = classmethod(lambda cls, *args, **kwargs: None)\n"
    "sys.argv = ['manage.py', *sys.argv[1:]]\n"
    "runpy.run_path('manage.py', run_name='__main__')\n"
)


def production_env(**overrides: str) -> dict[str, str]:
    """A clean environment (as `env -i`) with what a production host sets; DEBUG unset."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "FIELD_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "ALLOWED_HOSTS": "plezi-sync.example.com",
        "CSRF_TRUSTED_ORIGINS": "https://plezi-sync.example.com",
        "SITE_URL": "https://plezi-sync.example.com",
        # The public forms' rate limit needs a cache every worker shares (a deploy check).
        "CACHE_URL": "redis://127.0.0.1:6379/1",
        # The documented TLS proxy appends the visitor's address to X-Forwarded-For.
        "TRUSTED_PROXY_COUNT": "1",
    }
    env.update(overrides)
    return {name: value for name, value in env.items() if value is not None}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", MANAGE_WITHOUT_DOTENV, *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
