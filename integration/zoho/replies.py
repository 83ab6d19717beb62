"""Turning Zoho's HTTP replies into results or typed errors.

Zoho's CRM errors come as `{"code","details","message","status":"error"}`;
429 means the concurrency cap or, told apart by its message, the daily credits;
anything that is not JSON (an HTML page from a proxy, a truncated body) becomes
`ZohoBadResponse` with the status and a short excerpt, never a crash.
"""

import re
from dataclasses import dataclass
from typing import Any, Literal

import requests

from integration.zoho import oauth
from integration.zoho.errors import (
    ZohoAuthError,
    ZohoBadResponse,
    ZohoCreditsExhausted,
    ZohoError,
    ZohoNetworkError,
    ZohoRateLimited,
    ZohoRequestError,
    ZohoScopeError,
    ZohoServerError,
    scrub,
)

EXCERPT = 200


@dataclass(frozen=True)
class Reply:
    status: int
    body: Any  # parsed JSON, or None for 204/304


@dataclass(frozen=True)
class RecordResult:
    """Zoho's outcome for one record of a write batch."""

    ok: bool
    action: Literal["insert", "update"] | None  # on success (upsert)
    id: str | None
    modified_time: str | None
    code: str
    message: str
    details: dict

    @classmethod
    def from_entry(cls, entry: Any) -> "RecordResult":
        if not isinstance(entry, dict):
            return cls.missing()
        details = entry.get("details") if isinstance(entry.get("details"), dict) else {}
        ok = entry.get("status") == "success"
        record_id = details.get("id")
        if ok and not (isinstance(record_id, (str, int)) and not isinstance(record_id, bool)):
            return cls.missing()  # "success" without a usable id: Zoho's record is unknown
        modified = details.get("Modified_Time")
        return cls(
            ok=ok,
            action=entry.get("action") if ok else None,
            id=str(record_id) if ok else None,
            modified_time=modified if ok and isinstance(modified, str) else None,
            code=str(entry.get("code") or "")[:50],
            message=excerpt(scrub(str(entry.get("message") or ""))),
            details=details,
        )

    @classmethod
    def missing(cls) -> "RecordResult":
        return cls(False, None, None, None, "NO_RESULT", "Zoho gave no result for this record.", {})


def parse_body(response: requests.Response) -> Any:
    if response.status_code in (204, 304) or not response.content:
        return None
    content_type = response.headers.get("Content-Type", "")
    try:
        if "html" in content_type:
            raise ValueError("HTML")
        return response.json()
    except ValueError:
        raise _bad_response(response) from None


def _bad_response(response: requests.Response) -> ZohoBadResponse:
    status = response.status_code
    extract = excerpt(response.text)
    kind = "an HTML page" if "<html" in response.text[:500].lower() else "malformed JSON"
    # A 5xx page and a truncated 2xx body are usually passing trouble; a 4xx page is not.
    return ZohoBadResponse(
        f"Zoho answered {status} with {kind} instead of JSON: “{extract}”",
        status=status,
        excerpt=extract,
        retryable=status >= 500 or status < 300,
    )


def excerpt(text: str) -> str:
    """A short, tag-free extract of a reply for an error message."""
    plain = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", text[:5000], flags=re.I | re.S)
    plain = " ".join(re.sub(r"<[^>]+>", " ", plain).split())
    return plain[:EXCERPT] + ("…" if len(plain) > EXCERPT else "")


def error_for(response: requests.Response, body: Any) -> ZohoError:
    what = f"{response.request.method} {path_of(response.url)}"
    return error_for_body(response.status_code, body, what, response.headers.get("Retry-After"))


def error_for_body(status: int, body: Any, what: str, retry_after: str | None = None):
    body = body if isinstance(body, dict) else {}
    code = str(body.get("code") or "")[:50]
    message = excerpt(str(body.get("message") or ""))
    details = body.get("details") if isinstance(body.get("details"), dict) else {}
    said = f"{code}: {message}" if code else (message or "no details")
    if status == 401 and code == "OAUTH_SCOPE_MISMATCH":
        return ZohoScopeError(
            f"Zoho refused {what}: the connection's code lacks the scope for it "
            f"(needs {oauth.SCOPES}).",
            status=status,
            code=code,
        )
    if status == 401:
        return ZohoAuthError(f"Zoho refused the access token ({said}).", status=status, code=code)
    if status == 429:
        return _rate_limited(code, message, retry_after)
    if status >= 500:
        return ZohoServerError(
            f"Zoho failed on {what} ({status}, {said}).", status=status, code=code
        )
    if details:
        said += " " + ", ".join(f"{k}={v}" for k, v in list(details.items())[:4])
    return ZohoRequestError(f"Zoho refused {what} ({status}, {said}).", status=status, code=code)


def _rate_limited(code: str, message: str, retry_after: str | None) -> ZohoRateLimited:
    seconds = _seconds(retry_after)
    if "credit" in message.lower():
        return ZohoCreditsExhausted(
            "Zoho's daily API credits for this org are used up "
            f"({message or code}). Zoho grants them again over a rolling 24 hours.",
            status=429,
            code=code,
            retry_after=seconds,
        )
    return ZohoRateLimited(
        f"Zoho is limiting calls for now ({message or code or 'too many requests'}).",
        status=429,
        code=code,
        retry_after=seconds,  # Zoho's Retry-After is not confirmed: usually none
    )


def _seconds(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None  # an HTTP date: rare from Zoho; fall back to backoff


def network_error(exc: requests.RequestException, method: str, url: str) -> ZohoNetworkError:
    reason = "timed out" if isinstance(exc, requests.Timeout) else "the connection dropped"
    if isinstance(exc, requests.ConnectionError) and not isinstance(exc, requests.Timeout):
        text = str(exc).lower()
        if "refused" in text or "resolve" in text or "name or service" in text:
            reason = "could not connect"
    return ZohoNetworkError(f"Zoho {method} {path_of(url)}: {reason}.")


def path_of(url: str) -> str:
    """The path of a URL, never its query (search values, emails) or host credentials."""
    return "/" + url.split("://", 1)[-1].split("?", 1)[0].split("/", 1)[-1]
