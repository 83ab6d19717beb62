"""The visitor's address, as the login throttle and the public forms' rate limit see it.

Behind a TLS proxy every request's REMOTE_ADDR is the proxy's own address. Each
proxy appends the address it received the request from to X-Forwarded-For, so
with N trusted proxies in front the visitor's address is the N-th entry from the
right. Anything further left was written by the client and may be forged.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The address the outermost trusted proxy saw; REMOTE_ADDR when none is trusted.

    A request with fewer X-Forwarded-For entries than trusted proxies did not come
    through all of them (or a proxy is misconfigured): its REMOTE_ADDR is the one
    address that cannot be forged, so it is used.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    if len(hops) < proxies:
        return remote
    return _ip_address(hops[-proxies]) or remote


def _ip_address(text: str) -> str | None:
    """`text` as a canonical IP address (django-axes stores it in an IP column), or None."""
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None
