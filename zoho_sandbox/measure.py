"""``python -m zoho_sandbox.measure``: the sandbox's own cost per 200-record page.

Seeds a module, then walks it 200 records at a time (``page`` then ``page_token``, as a
client must past 2,000) calling :func:`zoho_sandbox.server.dispatch` directly: the figure is
server time (routing, auth, credits, paging, rendering, JSON), without socket I/O.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable

from zoho_sandbox import oauth, seed
from zoho_sandbox.server import dispatch
from zoho_sandbox.state import Org
from zoho_sandbox.wire import Request

FIELDS = "Email,Last_Name,First_Name,Company,City,Phone,Modified_Time"  # v8 names them


def _timed(fn: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = fn()
    return (time.perf_counter() - started) * 1000, result


def _walk(org: Org, headers: dict[str, str], query: str) -> list[float]:
    """Milliseconds per page of one full walk."""
    times, token = [], None
    while True:
        suffix = f"&page_token={token}" if token else ""
        request = Request.build(
            "GET", f"/crm/v8/Leads?{query}&fields={FIELDS}{suffix}", headers, b""
        )
        elapsed, reply = _timed(lambda r=request: dispatch(org, r))
        times.append(elapsed)
        if reply.status != 200:
            return times
        info = _info(reply.body)
        if not info["more_records"]:
            return times
        token = info["next_page_token"]


def _info(body: bytes) -> dict:
    return json.loads(body[body.rindex(b',"info":') + 8 : -1])


def _report(label: str, times: list[float]) -> None:
    ordered = sorted(times)
    print(
        f"{label}: {len(times)} pages, first {times[0]:.2f} ms, median "
        f"{statistics.median(times):.3f} ms, p95 {ordered[int(len(ordered) * 0.95)]:.3f} ms, "
        f"max {ordered[-1]:.2f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m zoho_sandbox.measure")
    parser.add_argument("--count", type=int, default=100_000)
    count = parser.parse_args().count
    org = Org(settings={"credits_per_day": 10**9})
    with org.lock:
        elapsed, _ = _timed(lambda: seed.seed(org, "Leads", count, 1))
    print(f"seed {count} leads: {elapsed / 1000:.2f} s")
    client = oauth.create_client(org)
    code = oauth.create_code(org, client.client_id, "ZohoCRM.modules.all", 10)
    form = f"grant_type=authorization_code&client_id={client.client_id}"
    form += f"&client_secret={client.client_secret}&code={code.code}"
    token = Request.build("POST", "/oauth/v2/token?" + form, {}, b"")
    access = _info_token(dispatch(org, token).body)
    headers = {"Authorization": f"Zoho-oauthtoken {access}"}
    _report("walk (seeded records are pre-encoded)", _walk(org, headers, "per_page=200"))
    for record in org.stores["Leads"].records.values():
        record.forget()  # as if every record had just been written through the API
    _report("cold walk (each record encoded on the way)", _walk(org, headers, "per_page=200"))
    since = "If-Modified-Since"
    old = {**headers, since: "2000-01-01T00:00:00+00:00"}
    _report("walk with If-Modified-Since", _walk(org, old, "per_page=200"))


def _info_token(body: bytes) -> str:
    return json.loads(body)["access_token"]


if __name__ == "__main__":
    main()
