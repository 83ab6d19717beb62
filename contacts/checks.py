"""Deploy checks of the contact store: what public forms need from the deployment."""

from django.conf import settings
from django.core.checks import Error

from contacts.ratelimit import public_form_limit

# Caches that count in each process's memory (or not at all): with three workers a
# visitor gets three times the limit, each worker its own count.
PER_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}


def check_rate_limit_cache(app_configs=None, **kwargs) -> list[Error]:
    backend = settings.CACHES["default"]["BACKEND"]
    if public_form_limit() <= 0 or backend not in PER_PROCESS_CACHES:
        return []
    return [
        Error(
            f"The public forms' rate limit counts in a per-process cache ({backend}): "
            "each worker process keeps its own count.",
            hint="Set CACHE_URL to a cache every process shares: Redis "
            "(redis://host:6379/1) or the database (dbcache://plezi_cache, then "
            "`python manage.py createcachetable`). Or set PUBLIC_FORM_RATE_LIMIT=0 "
            "to turn the limit off.",
            id="contacts.E001",
        )
    ]
