"""The Zoho CRM v8 client: every call to Zoho's CRM goes through `ZohoClient.request`.

One `requests.Session` per connection (pooled, keep-alive); a timeout on every
call; the `Zoho-oauthtoken` header; the access token refreshed shortly before
it expires and once more when Zoho says INVALID_TOKEN; bounded retries with
exponential backoff and jitter for what a retry can fix (429, 5xx, timeouts,
dropped connections, truncated replies); one limiter slot per HTTP call so the
org's concurrency cap holds across processes; calls and credits counted.

HTTP only: no ORM here. Credentials come through the token store.
"""

import logging
import random
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import ExitStack, contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from itertools import islice
from typing import Any

import requests
from requests.adapters import HTTPAdapter

from integration.zoho import oauth
from integration.zoho.errors import (
    CreditBudgetSpent,
    ZohoAuthError,
    ZohoBadResponse,
    ZohoError,
    ZohoRateLimited,
)
from integration.zoho.limiter import Limiter
from integration.zoho.replies import (
    RecordResult,
    Reply,
    error_for,
    error_for_body,
    excerpt,
    network_error,
    parse_body,
    path_of,
)
from integration.zoho.tokens import AccessToken, TokenGrant, TokenStore

logger = logging.getLogger(__name__)

PAGE_SIZE = 200  # Zoho's maximum per_page
WRITE_BATCH = 100  # Zoho's maximum records per write call
USER_AGENT = "plezi-zoho-sync/1.0"
RECORDS_PER_CREDIT = 10  # writes cost 1 credit per 10 records (zoho-crm-api.md §10)
IDS_PER_CALL = 100
MAX_FIELDS = 50  # v8: fields a listing may name


@dataclass
class CallStats:
    """What a client spent: every HTTP request (`calls`) and the CRM credits they cost."""

    calls: int = 0
    credits: int = 0
    retries: int = 0
    refreshes: int = 0
    throttled: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def add(self, **amounts: int) -> None:
        with self._lock:
            for name, amount in amounts.items():
                setattr(self, name, getattr(self, name) + amount)


@dataclass
class _Job:
    """Work handed to a helper thread, with the limiter slot taken for it."""

    future: Future
    slot: ExitStack
    work: Callable
    item: Any


class _NeedsCaller(Exception):
    """A helper thread needs a token refresh: only the calling thread may do it."""

    def __init__(self, token: str | None) -> None:
        super().__init__("token refresh needed")
        self.token = token


class _TokenRejected(Exception):
    """401 INVALID_TOKEN / AUTHENTICATION_FAILURE: refresh once, then try again."""

    def __init__(self, token: str, error: ZohoAuthError) -> None:
        super().__init__(error.message)
        self.token, self.error = token, error


class ZohoClient:
    def __init__(
        self,
        api_base: str,
        token_store: TokenStore,
        *,
        limiter: Limiter | None = None,
        timeout: float = 30,
        max_retries: int = 4,
        max_retry_time: float = 120,
        sleep: Callable[[float], None] = time.sleep,
        session: requests.Session | None = None,
    ) -> None:
        """`api_base` is `{api_domain}/crm/v8/`, already validated (see zoho.domains)."""
        self.api_base = api_base.rstrip("/") + "/"
        self.store = token_store
        self.limiter = limiter
        self.timeout, self.max_retries, self.max_retry_time = timeout, max_retries, max_retry_time
        self.sleep = sleep
        self.session = session or new_session()
        self.stats = CallStats()
        self.credit_budget: int | None = None  # credits this client may spend; None: no cap
        self.zoho_time: datetime | None = None  # Zoho's clock, from its last reply's Date
        self._in_flight_credits, self._budget_lock = 0, threading.Lock()
        self._access: AccessToken | None = None
        self._token_lock = threading.RLock()
        self._local = threading.local()  # .helper: this thread works for a calling thread

    def close(self) -> None:
        self.session.close()

    def name_requests(self, label: str) -> None:
        """Say in every request's User-Agent what they are for (a run's id): Zoho's API logs,
        and the sandbox's, then tell one run's calls from another's."""
        self.session.headers["User-Agent"] = f"{USER_AGENT} ({label})"

    # ---- typed operations ------------------------------------------------------------
    def org(self) -> dict:
        body = self.request("GET", "org").body or {}
        return _first(body.get("org"), "org")

    def fields(self, module: str) -> list[dict]:
        """The field metadata of `module` (`GET settings/fields`), as Zoho returns it."""
        body = self.request("GET", "settings/fields", params={"module": module}).body
        fields, _ = _listing(body or {"fields": None}, "fields")
        if not fields or not all(isinstance(f, dict) and f.get("api_name") for f in fields):
            raise ZohoBadResponse(
                f"Zoho's list of {module} fields is empty or malformed, so it was not used.",
                status=200,
                excerpt=excerpt(str(body)),
            )
        return fields

    def iter_records(
        self,
        module: str,
        *,
        fields: Iterable[str],
        modified_since: datetime | None = None,
        converted: str | None = None,
        per_page: int = PAGE_SIZE,
        prefetch: bool = False,
    ) -> Iterator[list[dict]]:
        """Every record of `module` (oldest change first), one page (a list) at a time.

        Past 2,000 records Zoho needs `page_token`, so pages come in order; with
        `prefetch` the first page is asked for at once (listings started together
        overlap) and each next one while the caller works on the current one.
        `modified_since` becomes If-Modified-Since (Zoho answers 304 when nothing
        changed: no pages). `converted` is Zoho's "true" | "false" | "both".
        """
        listed, *more = _field_chunks(fields)
        params = {"per_page": min(per_page, PAGE_SIZE), "sort_by": "Modified_Time"}
        params["sort_order"] = "asc"
        params["fields"] = listed
        if converted:
            params["converted"] = converted
        headers = _since_header(modified_since)
        if prefetch and self._width(2) == 2:
            pages = self._prefetched_pages(module, params, headers)
            next(pages)  # runs up to its first `yield`: page 1 is on its way
        else:
            pages = self._pages(module, params, headers)
        return self._widened(module, pages, more) if more else pages

    def get_records(self, module: str, ids: Iterable[str], *, fields: Iterable[str]) -> list[dict]:
        """The records with these ids (unknown ids are left out), 100 ids a call, and
        50 fields a call: a record missing from any of the calls is left out."""
        return self._by_ids(module, [str(i) for i in ids], _field_chunks(fields))

    def _by_ids(self, module: str, ids: list[str], field_chunks: list[str]) -> list[dict]:
        found: dict[str, dict] = {}
        for chunk in chunked(list(dict.fromkeys(ids)), IDS_PER_CALL):
            parts: list[dict[str, dict]] = []
            for names in field_chunks:
                params = {"ids": ",".join(chunk), "fields": names}
                data, _ = _listing(self.request("GET", module, params=params).body)
                parts.append({r["id"]: r for r in data if isinstance(r, dict) and "id" in r})
            for record_id in chunk:
                if all(record_id in part for part in parts):
                    found[record_id] = {k: v for part in parts for k, v in part[record_id].items()}
        return list(found.values())

    def _widened(
        self, module: str, pages: Iterator[list[dict]], more: list[str]
    ) -> Iterator[list[dict]]:
        """Pages whose records also carry the fields past the listing's 50, read by id.
        A record deleted in between is left out; the deleted-records pass sees it."""
        try:
            for page in pages:
                ids = [str(r["id"]) for r in page if isinstance(r, dict) and r.get("id")]
                extra = {r["id"]: r for r in self._by_ids(module, ids, more)}
                yield [{**r, **extra[r["id"]]} for r in page if r.get("id") in extra]
        finally:
            pages.close()

    def get_record(self, module: str, record_id: str) -> dict | None:
        """One record with all its keys (`$converted_detail` included), or None if unknown."""
        body = self.request("GET", f"{module}/{record_id}").body
        data = body.get("data") if isinstance(body, dict) else None
        return data[0] if isinstance(data, list) and data and isinstance(data[0], dict) else None

    def deleted_records(self, module: str, *, since: datetime | None = None) -> list[dict]:
        """Records deleted in Zoho (recycle bin and permanent), newest first."""
        return self._collect(
            f"{module}/deleted", {"type": "all", "per_page": PAGE_SIZE}, _since_header(since)
        )

    def upsert(
        self,
        module: str,
        records: list[dict],
        *,
        duplicate_check_fields: Iterable[str] = ("Email",),
        trigger: Iterable[str] = (),
    ) -> list[RecordResult]:
        """Insert or update `records` matched on `duplicate_check_fields`, 100 a call.

        Returns one result per record, in order. A record Zoho refused is a
        result with `ok=False`, not an exception; a refused request raises.
        """
        results: list[RecordResult] = []
        for chunk in chunked(records, WRITE_BATCH):
            results.extend(self._upsert_chunk(module, chunk, duplicate_check_fields, trigger))
        return results

    def upsert_many(
        self,
        module: str,
        records: Iterable[dict],
        *,
        duplicate_check_fields: Iterable[str] = ("Email",),
        trigger: Iterable[str] = (),
        concurrency: int = 4,
    ) -> list[RecordResult]:
        """`upsert`, with up to `concurrency` batches of 100 in flight at once.

        Batches must be independent (no two records with the same email in two
        batches). Each batch holds a limiter slot, so the org's cap holds
        however many workers do this at once; `concurrency` is capped by it.
        When a batch fails, the ZohoError raised carries `written`: the results of
        the batches Zoho did answer, by batch number, so the caller records them.
        """
        check, trigger = tuple(duplicate_check_fields), tuple(trigger)
        batches = chunked(records, WRITE_BATCH)
        per_batch = self._fan_out(
            lambda batch: self._upsert_chunk(module, batch, check, trigger), batches, concurrency
        )
        return [result for batch in per_batch for result in batch]

    def revoke(self) -> None:
        """Revoke the connection's refresh token at Zoho (its access tokens die with it)."""
        credentials = self.store.credentials()
        self.stats.add(calls=1)
        oauth.revoke(
            self.session, credentials.accounts_url, credentials.refresh_token, timeout=self.timeout
        )

    # ---- requests ----------------------------------------------------------------------
    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict | None = None,
        json: Any = None,
        headers: dict | None = None,
        body_on: tuple[int, ...] = (),
        credits: int = 1,
    ) -> Reply:
        """One CRM call with token handling and retries. `body_on`: error statuses whose
        body the caller reads itself (an upsert's 400 with per-record `data[]`); `credits`:
        what Zoho charges for it (writes: one per 10 records)."""
        url = self.api_base + path.lstrip("/")
        with self._reserved(credits, f"{method} {path}"):
            return self._request(method, url, path, params, json, headers, body_on, credits)

    @contextmanager
    def _reserved(self, credits: int, what: str) -> Iterator[None]:
        """Hold `credits` of the budget while the call is in flight, so calls made at
        once (upsert_many) cannot pass it together; released when the call ends, by
        which time `stats.credits` counts what Zoho charged."""
        if self.credit_budget is None:
            yield
            return
        with self._budget_lock:
            if self.stats.credits + self._in_flight_credits + credits > self.credit_budget:
                raise CreditBudgetSpent(
                    f"{what} would pass the {self.credit_budget} credits this run may spend."
                )
            self._in_flight_credits += credits
        try:
            yield
        finally:
            with self._budget_lock:
                self._in_flight_credits -= credits

    def _request(self, method, url, path, params, json, headers, body_on, credits) -> Reply:
        state = {"refreshed": False}

        def attempt() -> Reply:
            while True:
                token = self._token()
                try:
                    return self._send(method, url, token, params, json, headers, body_on, credits)
                except _TokenRejected as rejected:
                    if state["refreshed"]:  # once per call: a fresh token refused is final
                        raise rejected.error from None
                    if self._in_helper():
                        raise _NeedsCaller(rejected.token) from None
                    # Counted once the refresh worked: if it failed (a 5xx, a dropped
                    # connection), the retry must be allowed to refresh again.
                    self._replace(rejected.token)
                    state["refreshed"] = True

        return self._retrying(attempt, f"{method} {path}")

    def _send(self, method, url, token, params, json, headers, body_on, credits) -> Reply:
        all_headers = {"Authorization": f"Zoho-oauthtoken {token}", **(headers or {})}
        started = time.monotonic()
        # A helper thread's slot was taken for it by the calling thread.
        held = not self.limiter or self._in_helper()
        with nullcontext() if held else self.limiter.slot():
            self.stats.add(calls=1)
            try:
                response = self.session.request(
                    method,
                    url,
                    params=params,
                    json=json,
                    headers=all_headers,
                    timeout=(min(10, self.timeout), self.timeout),
                    allow_redirects=False,  # a redirect would carry the token elsewhere
                )
            except requests.RequestException as exc:
                raise network_error(exc, method, url) from None
        logger.debug(
            "Zoho %s %s → %s in %.2f s",
            method,
            path_of(url),
            response.status_code,
            time.monotonic() - started,
        )
        return self._reply(response, token, body_on, credits)

    def _reply(self, response: requests.Response, token: str, body_on: tuple, credits) -> Reply:
        status = response.status_code
        self.zoho_time = _date_of(response) or self.zoho_time
        body = parse_body(response)
        if status not in (401, 429) and status < 500:  # refused or failed calls cost nothing
            self.stats.add(credits=credits)
        if status < 300 or status == 304 or status in body_on:
            return Reply(status, body)
        error = error_for(response, body)
        if isinstance(error, ZohoRateLimited):
            self.stats.add(throttled=1)
        if isinstance(error, ZohoAuthError):
            raise _TokenRejected(token, error)
        raise error

    def _retrying(self, attempt: Callable[[], Any], what: str) -> Any:
        started, retries = time.monotonic(), 0
        while True:
            try:
                return attempt()
            except ZohoError as error:
                if not error.retryable or retries >= self.max_retries:
                    raise
                delay = _backoff(retries, error)
                if time.monotonic() - started + delay > self.max_retry_time:
                    raise
                retries += 1
                self.stats.add(retries=1)
                logger.warning(
                    "Zoho %s: %s Retry %d/%d in %.1f s.",
                    what,
                    error.message,
                    retries,
                    self.max_retries,
                    delay,
                )
                self.sleep(delay)

    # ---- tokens ------------------------------------------------------------------------
    def _token(self) -> str:
        with self._token_lock:
            if self._in_helper():
                if self._access is None or not self._access.is_fresh():
                    raise _NeedsCaller(None)
                return self._access.token
            if self._access is None:
                self._access = self.store.current()
            if self._access is None or not self._access.is_fresh():
                stale = self._access.token if self._access else None
                self._access = self.store.refresh(stale, self._mint)
            return self._access.token

    def _replace(self, rejected: str) -> None:
        """Zoho refused `rejected`: get a new token unless another thread already did."""
        with self._token_lock:
            if self._access is None or self._access.token == rejected:
                self._access = self.store.refresh(rejected, self._mint)

    def _mint(self, credentials) -> TokenGrant:
        # One attempt: the store holds a row lock meanwhile. A failure that a
        # retry can fix reaches `request`'s retry loop, which waits unlocked.
        self.stats.add(calls=1, refreshes=1)
        return oauth.refresh_grant(self.session, credentials, timeout=self.timeout)

    # ---- paging ------------------------------------------------------------------------
    def _pages(self, module: str, params: dict, headers: dict) -> Iterator[list[dict]]:
        query: dict | None = {**params, "page": 1}
        while query:
            body = self.request("GET", module, params=query, headers=headers).body
            data, query = _next_page(body, params, query)
            if data:
                yield data

    def _prefetched_pages(self, module: str, params: dict, headers: dict) -> Iterator[list[dict]]:
        """`_pages`, with page n+1 on its way while the caller works on page n."""

        def fetch(query: dict) -> Any:
            return self.request("GET", module, params=query, headers=headers).body

        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="zoho-prefetch")
        job: _Job | None = self._offload(pool, fetch, {**params, "page": 1})
        try:
            yield []  # taken by iter_records, never seen by the caller
            while job is not None:
                current, body = job, self._settle(job)
                job = None
                data, query = _next_page(body, params, current.item)
                if query:
                    job = self._offload(pool, fetch, query)
                if data:
                    yield data
        finally:
            if job is not None:
                self._abandon(job)
            pool.shutdown(wait=True)

    def _collect(
        self, path: str, params: dict, headers: dict | None = None, limit: int | None = None
    ) -> list[dict]:
        found: list[dict] = []
        page = 1
        while True:
            reply = self.request("GET", path, params={**params, "page": page}, headers=headers)
            data, info = _listing(reply.body)
            found.extend(data)
            if not data or not info.get("more_records"):
                return found
            if limit and len(found) >= limit:
                logger.warning("Zoho %s: stopped at Zoho's limit of %d results", path, limit)
                return found
            page += 1

    # ---- helper threads ----------------------------------------------------------------
    # Helper threads do HTTP only. The calling thread takes the limiter slot and
    # a fresh token for them, and refreshes when Zoho refuses one: both may touch
    # the database (slot rows, the connection row), which stays in the thread
    # and transaction that owns it.
    def _width(self, wanted: int) -> int:
        """At most the org's cap: more would wait on slots that only we could free."""
        return max(1, min(wanted, self.limiter.cap if self.limiter else wanted))

    def _in_helper(self) -> bool:
        return getattr(self._local, "helper", False)

    def _as_helper(self, work: Callable, item: Any) -> Any:
        self._local.helper = True
        try:
            return work(item)
        finally:
            self._local.helper = False

    def _offload(self, pool: ThreadPoolExecutor, work: Callable, item: Any) -> "_Job":
        # Refreshed here if due, in the calling thread, with retries like any call.
        self._retrying(self._token, "token refresh")
        slot = ExitStack()
        if self.limiter:
            slot.enter_context(self.limiter.slot())
        try:
            future = pool.submit(self._as_helper, work, item)
        except BaseException:
            slot.close()
            raise
        return _Job(future, slot, work, item)

    def _settle(self, job: "_Job") -> Any:
        """The job's result; if its helper needed the calling thread, redo it here."""
        try:
            return job.future.result()
        except _NeedsCaller as need:
            rejected = need.token
        finally:
            job.slot.close()
        if rejected:
            self._retrying(lambda: self._replace(rejected), "token refresh")
        return job.work(job.item)

    def _abandon(self, job: "_Job") -> Any:
        """Stop waiting for `job`: its result if it had already got one, else None."""
        job.future.cancel()
        try:
            return job.future.result()
        except Exception:  # cancelled, failed, or its helper needed the caller
            return None
        finally:
            job.slot.close()

    def _fan_out(self, work: Callable, items: Iterable, concurrency: int) -> list:
        """`work(item)` for each item, up to `concurrency` at once; results in input order.
        A ZohoError raised carries `written`: the results settled so far, by index."""
        results: dict[int, Any] = {}
        try:
            width = self._width(concurrency)
            if width <= 1:
                for index, item in enumerate(items):
                    results[index] = work(item)
            else:
                self._fan_out_wide(work, items, width, results)
        except ZohoError as error:
            error.written = dict(results)
            raise
        return [results[index] for index in sorted(results)]

    def _fan_out_wide(self, work: Callable, items: Iterable, width: int, results: dict) -> None:
        jobs: dict[int, _Job] = {}
        with ThreadPoolExecutor(max_workers=width, thread_name_prefix="zoho") as pool:
            try:
                for index, item in enumerate(items):
                    while len(jobs) >= width:
                        self._settle_first(jobs, results)
                    jobs[index] = self._offload(pool, work, item)
                while jobs:
                    self._settle_first(jobs, results)
            finally:
                for index, job in jobs.items():  # only after a failure
                    if (done := self._abandon(job)) is not None:
                        results[index] = done  # Zoho answered it: the caller records it

    def _settle_first(self, jobs: dict, results: dict) -> None:
        done, _ = wait([job.future for job in jobs.values()], return_when=FIRST_COMPLETED)
        for index in [i for i, job in jobs.items() if job.future in done]:
            results[index] = self._settle(jobs.pop(index))

    def _upsert_chunk(self, module, chunk, check, trigger) -> list[RecordResult]:
        """Records with an "id" are updated by id (PUT), the others upserted by `check`.

        An update never creates: a record converted or deleted in Zoho since we linked it
        is refused, not created a second time (upsert by Email never matches a converted
        lead, so it would insert a new one)."""
        by_id = [n for n, record in enumerate(chunk) if record.get("id")]
        rest = [n for n in range(len(chunk)) if n not in set(by_id)]
        results: list = [None] * len(chunk)
        for indexes, method, path, check_fields in (
            (by_id, "PUT", module, None),
            (rest, "POST", f"{module}/upsert", check),
        ):
            if indexes:
                written = self._write_chunk(
                    method, path, [chunk[n] for n in indexes], check_fields, trigger
                )
                for n, result in zip(indexes, written, strict=True):
                    results[n] = result
        return results

    def _write_chunk(self, method, path, chunk, check, trigger) -> list[RecordResult]:
        payload = {"data": chunk, "trigger": list(trigger)}
        if check is not None:
            payload["duplicate_check_fields"] = list(check)
        credits = -(-len(chunk) // RECORDS_PER_CREDIT)
        reply = self.request(method, path, json=payload, body_on=(400,), credits=credits)
        entries = (reply.body or {}).get("data") if isinstance(reply.body, dict) else None
        if reply.status == 400 and not isinstance(entries, list):
            raise error_for_body(400, reply.body, f"{method} {path}")
        entries = entries if isinstance(entries, list) else []
        results = [RecordResult.from_entry(e) for e in entries[: len(chunk)]]
        return results + [RecordResult.missing()] * (len(chunk) - len(results))


# ---- helpers -----------------------------------------------------------------------------
def new_session(pool_size: int = 25) -> requests.Session:
    """A pooled session; retries are ours (typed, bounded), not urllib3's."""
    session = requests.Session()
    adapter = HTTPAdapter(pool_connections=4, pool_maxsize=pool_size, max_retries=0)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    session.headers.update({"Accept": "application/json", "User-Agent": USER_AGENT})
    return session


def _backoff(retries: int, error: ZohoError) -> float:
    """Zoho's Retry-After when it gives one; otherwise exponential with jitter.

    A 429 without Retry-After (Zoho seldom sends one) starts at 2 s: the org's slots
    or credits free up in seconds, not milliseconds, and hammering keeps them busy.
    """
    retry_after = getattr(error, "retry_after", None)
    if retry_after:
        return float(retry_after) + random.uniform(0, 0.25)
    base = 2.0 if isinstance(error, ZohoRateLimited) else 0.5
    return random.uniform(0.5, 1.0) * min(30.0, base * 2**retries)


def _listing(body: Any, key: str = "data") -> tuple[list[dict], dict]:
    """A listing reply's records and `info`, or ZohoBadResponse when its shape is wrong.

    A 200 without the list is not an empty page: taking it for one would end a
    pull early and move the watermark past records never read.
    """
    if not body:
        return [], {}  # 204: no records; 304: nothing changed since
    items = body.get(key) if isinstance(body, dict) else None
    info = body.get("info", {}) if isinstance(body, dict) else None
    if not isinstance(items, list) or not isinstance(info, dict):
        raise ZohoBadResponse(
            f"Zoho's reply has no list of “{key}” where one was expected, so it was not used.",
            status=200,
            excerpt=excerpt(str(body)),
        )
    return items, info


def _next_page(body: Any, params: dict, query: dict) -> tuple[list[dict], dict | None]:
    """This page's records, and the query of the next page (None after the last)."""
    data, info = _listing(body)
    if not data or not info.get("more_records"):
        return data, None
    # v8 gives a token whenever there are more records, reaching past 2,000; a reply
    # without one falls back to page numbers (Zoho refuses those past 2,000).
    if info.get("next_page_token"):
        return data, {**params, "page_token": info["next_page_token"]}
    return data, {**params, "page": int(query.get("page") or 1) + 1}


def _field_chunks(fields: Iterable[str]) -> list[str]:
    """The `fields` parameters that name every field: v8 takes 1 to 50 a call (§10)."""
    names = list(dict.fromkeys(fields))
    if not names:
        raise ValueError("A Zoho listing names at least one field.")
    return [",".join(chunk) for chunk in chunked(names, MAX_FIELDS)]


def _date_of(response: requests.Response) -> datetime | None:
    try:
        return parsedate_to_datetime(response.headers.get("Date") or "")
    except (TypeError, ValueError):
        return None


def _since_header(moment: datetime | None) -> dict:
    if moment is None:
        return {}
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return {"If-Modified-Since": moment.isoformat(timespec="seconds")}


def _first(items: Any, what: str) -> dict:
    if isinstance(items, list) and items and isinstance(items[0], dict):
        return items[0]
    raise ZohoBadResponse(f"Zoho's reply has no {what}.", status=200, excerpt="")


def chunked(items: Iterable, size: int) -> Iterator[list]:
    """`items` in lists of `size` (the last one shorter), read lazily."""
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk
