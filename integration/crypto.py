"""Secrets at rest: a model field encrypted with Fernet, keys from the environment.

`settings.FIELD_ENCRYPTION_KEYS` lists Fernet keys, newest first: the first
encrypts, every one decrypts. To rotate, put a new key in front, run
`manage.py rotate_secrets` (re-encrypts every row with the new key), then drop
the old key.
"""

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


class SecretUnreadable(ImproperlyConfigured):
    """A stored secret that none of the configured keys decrypts."""


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("Set FIELD_ENCRYPTION_KEY to encrypt secrets at rest.")
    try:
        return MultiFernet([Fernet(key.strip().encode()) for key in keys])
    except ValueError:
        # Say which setting is wrong, never its value.
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEY must hold Fernet keys (32 url-safe base64-encoded bytes)."
        ) from None


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(plain: str) -> str:
    return fernet().encrypt(plain.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise SecretUnreadable(
            "A stored secret cannot be decrypted with any FIELD_ENCRYPTION_KEY: was a key "
            "removed before `rotate_secrets` ran?"
        ) from None


def rotate(token: str) -> str:
    """`token` re-encrypted with the first key (the newest)."""
    try:
        return fernet().rotate(token.encode()).decode()
    except InvalidToken:
        raise SecretUnreadable("A stored secret cannot be decrypted with any key.") from None


class EncryptedTextField(models.TextField):
    """Text stored as a Fernet token; Python code sees the plain value.

    The empty string stays empty (so "no token" needs no decryption), and the
    field cannot be searched or indexed: it is for secrets only.
    """

    description = "Text encrypted at rest (Fernet)"

    def from_db_value(self, value, expression, connection):
        return decrypt(value) if value else value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return encrypt(value) if value else value
