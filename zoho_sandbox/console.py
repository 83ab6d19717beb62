"""The developer console at ``/``: plain HTML forms, no JavaScript.

It walks a newcomer through the seed's steps: create a self client (client id and
secret), generate a code with scopes and a duration (default 3 minutes, as Zoho's), and read the org
and CRM URL to paste into Plezi. Below, the newest Leads and Contacts with the fields Plezi
writes, so a form's lead is seen arriving.
"""

from __future__ import annotations

import time
from html import escape

from zoho_sandbox import oauth
from zoho_sandbox.state import Org
from zoho_sandbox.wire import Reply, Request, html_reply

DEFAULT_SCOPE = "ZohoCRM.settings.fields.all,ZohoCRM.modules.all"
DURATIONS = (3, 5, 10, 15, 30, 60)
# The fields Plezi writes (identity, the default mapping's, and the seed's custom ones).
RECORD_COLUMNS = ("Email", "First_Name", "Last_Name", "Company", "plezi_url", "score", "status")
RECORDS_SHOWN = 20

STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem}"
    "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3rem .6rem;"
    "text-align:left}code{background:#f4f4f4;padding:.1rem .3rem}.box{border:1px solid #8a8;"
    "background:#efe;padding:1rem;margin:1rem 0}label{display:block;margin:.5rem 0}"
    ".scroll{overflow-x:auto;max-width:100%}"
)


def _page(title: str, body: str) -> str:
    return (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{escape(title)}"
        f"</title><style>{STYLE}</style></head><body><h1>{escape(title)}</h1>{body}</body></html>"
    )


def _org_section(org: Org) -> str:
    return (
        "<h2>Your org</h2><table>"
        f"<tr><th>Zoho Org</th><td><code>{escape(org.domain_name)}</code></td></tr>"
        f"<tr><th>Accounts server</th><td><code>{escape(org.base_url)}</code></td></tr>"
        f"<tr><th>Zoho CRM URL</th><td><code>{escape(org.base_url)}/crm/v2/</code></td></tr>"
        "</table>"
    )


def _clients_section(org: Org) -> str:
    rows = "".join(
        f"<tr><td><code>{escape(c.client_id)}</code></td>"
        f"<td><code>{escape(c.client_secret)}</code></td></tr>"
        for c in org.clients.values()
    )
    table = f"<table><tr><th>Client ID</th><th>Client Secret</th></tr>{rows}</table>"
    create = (
        "<form method='post' action='/console/clients'>"
        "<button type='submit'>Create a self client</button></form>"
    )
    return f"<h2>1. Self client</h2>{table if rows else '<p>No client yet.</p>'}{create}"


def _code_section(org: Org) -> str:
    if not org.clients:
        return "<h2>2. Generate a code</h2><p>Create a self client first.</p>"
    options = "".join(f"<option value='{escape(c)}'>{escape(c)}</option>" for c in org.clients)
    durations = "".join(
        f"<option value='{m}'{' selected' if m == oauth.CODE_MINUTES else ''}>{m} minutes</option>"
        for m in DURATIONS
    )
    return (
        "<h2>2. Generate a code</h2><form method='post' action='/console/codes'>"
        f"<label>Client <select name='client_id'>{options}</select></label>"
        f"<label>Scope <input name='scope' size='60' value='{DEFAULT_SCOPE}'></label>"
        f"<label>Time duration <select name='minutes'>{durations}</select></label>"
        "<button type='submit'>Create</button></form>"
    )


def _records_section(org: Org, module: str) -> str:
    newest = sorted(org.stores[module].records.values(), key=lambda r: r.modified, reverse=True)
    shown = newest[:RECORDS_SHOWN]
    title = f"<h2 id='{module.lower()}'>{module} ({len(newest)})</h2>"
    if not shown:
        return f"{title}<p>No {module.lower()} yet.</p>"
    head = "".join(f"<th>{name}</th>" for name in ("Id", *RECORD_COLUMNS, "Modified_Time"))
    rows = "".join(_record_row(record) for record in shown)
    caption = f"<caption>The newest {len(shown)} of {len(newest)} {module}</caption>"
    table = f"<div class='scroll'><table>{caption}<tr>{head}</tr>{rows}</table></div>"
    return f"{title}{table}<p><a href='/#{module.lower()}'>Reload</a> to see new ones.</p>"


def _record_row(record) -> str:
    cells = [record.id, *(record.values.get(name) for name in RECORD_COLUMNS)]
    cells.append(time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(record.modified)))
    return "<tr>" + "".join(f"<td>{escape(_text(value))}</td>" for value in cells) + "</tr>"


def _text(value) -> str:
    return "" if value is None else str(value)


def home(org: Org, notice: str = "") -> Reply:
    body = notice + _org_section(org) + _clients_section(org) + _code_section(org)
    body += _records_section(org, "Leads") + _records_section(org, "Contacts")
    return html_reply(200, _page("Zoho sandbox: developer console", body))


def create_client(org: Org, request: Request) -> Reply:
    client = oauth.create_client(org)
    notice = (
        "<div class='box'>Client created. Copy and paste into Plezi:<br>"
        f"Client ID <code>{escape(client.client_id)}</code><br>"
        f"Client Secret <code>{escape(client.client_secret)}</code></div>"
    )
    return home(org, notice)


def create_code(org: Org, request: Request) -> Reply:
    form = request.form()
    try:
        minutes = float(form.get("minutes") or oauth.CODE_MINUTES)
        code = oauth.create_code(org, form.get("client_id", ""), form.get("scope") or "", minutes)
    except oauth.UnknownClient:
        return home(org, "<div class='box'>Unknown client.</div>")
    except oauth.Throttled:
        return home(org, "<div class='box'>access_denied: too many codes, try later.</div>")
    except ValueError:
        return home(org, "<div class='box'>Choose a duration.</div>")
    notice = (
        f"<div class='box'>Your code (valid {minutes:g} minutes, single use):<br>"
        f"<code>{escape(code.code)}</code></div>"
    )
    return home(org, notice)


def handle(org: Org, request: Request) -> Reply:
    with org.lock:
        if request.method == "GET" and request.path in ("/", "/console", "/console/"):
            return home(org)
        if request.method == "POST" and request.path == "/console/clients":
            return create_client(org, request)
        if request.method == "POST" and request.path == "/console/codes":
            return create_code(org, request)
    return html_reply(404, _page("Not found", "<p><a href='/'>Back to the console</a></p>"))
