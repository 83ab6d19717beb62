"""The visitor's address behind 0, 1 or 2 trusted proxies: what a client writes is never trusted."""

import pytest
from django.test import RequestFactory

from accounts.client_ip import client_ip

PROXY = "10.0.0.1"


def address(*, proxies: int, forwarded: str | None, settings) -> str:
    settings.TRUSTED_PROXY_COUNT = proxies
    extra = {} if forwarded is None else {"HTTP_X_FORWARDED_FOR": forwarded}
    return client_ip(RequestFactory().get("/", REMOTE_ADDR=PROXY, **extra))


def test_without_trusted_proxies_a_forwarded_header_is_ignored(settings):
    assert address(proxies=0, forwarded="203.0.113.7", settings=settings) == PROXY


@pytest.mark.parametrize(
    ("forwarded", "visitor"),
    [
        pytest.param("203.0.113.7", "203.0.113.7", id="as-the-proxy-wrote-it"),
        pytest.param("198.51.100.1, 203.0.113.7", "203.0.113.7", id="forged-entry-on-the-left"),
        pytest.param("1.1.1.1,2.2.2.2 , 203.0.113.7", "203.0.113.7", id="several-forged"),
        pytest.param(" 2001:DB8::0:1 ", "2001:db8::1", id="ipv6-canonical"),
    ],
)
def test_one_proxy_takes_the_address_it_appended(settings, forwarded, visitor):
    assert address(proxies=1, forwarded=forwarded, settings=settings) == visitor


def test_two_proxies_take_the_second_entry_from_the_right(settings):
    forwarded = "198.51.100.1, 203.0.113.7, 10.0.0.2"  # forged, visitor, the outer proxy

    assert address(proxies=2, forwarded=forwarded, settings=settings) == "203.0.113.7"


@pytest.mark.parametrize(
    ("proxies", "forwarded"),
    [
        pytest.param(1, None, id="no-header"),
        pytest.param(1, "", id="empty-header"),
        pytest.param(1, "not-an-address", id="garbage"),
        pytest.param(1, "203.0.113.7, <script>", id="garbage-where-the-proxy-writes"),
        pytest.param(2, "203.0.113.7", id="fewer-entries-than-proxies"),
    ],
)
def test_a_header_the_proxies_did_not_write_falls_back_to_the_connection(
    settings, proxies, forwarded
):
    assert address(proxies=proxies, forwarded=forwarded, settings=settings) == PROXY
