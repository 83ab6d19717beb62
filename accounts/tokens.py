"""Invitation tokens: random, handed out once, stored only as a keyed digest."""

import secrets

from django.utils.crypto import salted_hmac

TOKEN_BYTES = 32  # 256 bits: guessing a live token is out of reach


def token_new() -> str:
    """A fresh URL-safe token (the slug characters: letters, digits, - and _)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_digest(token: str) -> str:
    """What the database keeps of `token`: an HMAC under SECRET_KEY, so a copy of the
    database (a backup, a read-only leak) holds no working link. Rotating SECRET_KEY
    voids pending invitations; admins invite again."""
    return salted_hmac("accounts.Invitation.token", token, algorithm="sha256").hexdigest()
