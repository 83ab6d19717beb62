"""A fixed-window rate limit on Django's cache, shared by every worker using that cache."""

import time

from django.conf import settings
from django.core.cache import cache

DEFAULT_PUBLIC_FORM_RATE_LIMIT = 20  # submissions per minute per form and client IP
WINDOW_SECONDS = 60


def public_form_limit() -> int:
    """Submissions per minute per form and client address; 0 means no limit."""
    return int(getattr(settings, "PUBLIC_FORM_RATE_LIMIT", DEFAULT_PUBLIC_FORM_RATE_LIMIT))


def public_form_allows(*, form_pk: int, client: str) -> bool:
    """Count one submission of `client` to the form; False once its limit is passed."""
    limit = public_form_limit()
    return limit <= 0 or allow(f"form:{form_pk}:{client}", limit=limit)


def allow(scope: str, *, limit: int, window: int = WINDOW_SECONDS) -> bool:
    """Count one hit for `scope` in the current window; False once `limit` is passed."""
    key = f"ratelimit:{scope}:{int(time.time() // window)}"
    # add() is atomic: only the first hit of a window creates the counter.
    cache.add(key, 0, timeout=window + 5)
    try:
        hits = cache.incr(key)
    except ValueError:  # the key expired between add() and incr()
        cache.set(key, 1, timeout=window + 5)
        hits = 1
    return hits <= limit
