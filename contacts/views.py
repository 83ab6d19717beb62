import json
from datetime import date
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from accounts.access import workspace_view
from accounts.client_ip import client_ip
from contacts import ratelimit
from contacts.bot_traps import HONEYPOT, STAMP, caught_bot, stamp_issue
from contacts.catalogue import LEAD_SOURCES, FieldType
from contacts.csv_io import ERRORS_SHOWN, CsvRefused, contacts_csv_lines
from contacts.forms import (
    ContactFilterForm,
    ContactForm,
    FieldCreateForm,
    FieldEditForm,
    FormSettingsForm,
    ImportForm,
    PublicForm,
    email_taken_message,
)
from contacts.imports import import_start
from contacts.models import Contact, Field, Form
from contacts.selectors import contacts_page, contacts_search, fields_of, forms_of, imports_of
from contacts.services import (
    contact_delete,
    contact_save,
    contact_update,
    field_create,
    field_update,
    form_delete,
    form_save,
    form_submit,
)

PAGE_SIZE = 50
IMPORTS_LISTED = 10
PUBLIC_BODY_MAX_BYTES = 64 * 1024


# Field catalogue ---------------------------------------------------------------------------


@workspace_view
def field_list(request):
    return render(request, "contacts/field_list.html", {"fields": fields_of(request.workspace)})


@workspace_view(admin=True)
def field_create_view(request):
    form = FieldCreateForm(request.POST or None, workspace=request.workspace)
    if request.method == "POST" and form.is_valid():
        field = field_create(workspace=request.workspace, **form.cleaned_data)
        messages.success(
            request,
            _(
                "Field “%(label)s” added at the end of the catalogue. Create it in Zoho CRM "
                "too, map it, then run a manual synchronisation."
            )
            % {"label": field.label},
        )
        return redirect("contacts:field_list", request.workspace.slug)
    return render(request, "contacts/field_form.html", {"form": form, "field": None})


@workspace_view(admin=True)
def field_edit(request, pk):
    field = get_object_or_404(Field.objects.for_workspace(request.workspace), pk=pk)
    form = FieldEditForm(request.POST or None, field=field)
    if request.method == "POST" and form.is_valid():
        field_update(field=field, **form.cleaned_data)
        messages.success(request, _("Field “%(label)s” saved.") % {"label": field.label})
        return redirect("contacts:field_list", request.workspace.slug)
    return render(request, "contacts/field_form.html", {"form": form, "field": field})


# Contacts ----------------------------------------------------------------------------------


@workspace_view
def contact_list(request):
    filters = ContactFilterForm(request.GET, lead_sources=_lead_sources(request.workspace))
    query, exact = filters.search()
    contacts = contacts_search(request.workspace, query=query, filters=exact).only(
        "email", "first_name", "last_name", "company", "state", "behaviour_score", "updated_at"
    )
    page = contacts_page(
        contacts,
        after=_cursor(request.GET.get("after")),
        before=_cursor(request.GET.get("before")),
        size=PAGE_SIZE,
    )
    params = request.GET.copy()
    for name in ("after", "before"):
        params.pop(name, None)
    context = {"filters": filters, "page": page, "params": params.urlencode(), "query": query}
    context["filtered"] = bool(query or any(v not in (None, "") for v in exact.values()))
    return render(request, "contacts/contact_list.html", context)


def _lead_sources(workspace) -> list[str]:
    field = fields_of(workspace).filter(key="lead_source").first()
    return field.choices if field else LEAD_SOURCES


def _cursor(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() else None


@workspace_view
def contact_detail(request, pk):
    contact = get_object_or_404(Contact.objects.for_workspace(request.workspace), pk=pk)
    rows = [(f, _display(f, contact.value(f.key))) for f in fields_of(request.workspace)]
    return render(request, "contacts/contact_detail.html", {"contact": contact, "rows": rows})


def _display(field: Field, value) -> str:
    """A stored value as text for the page; the template escapes it."""
    if value in (None, "", []):
        return ""
    if field.type == FieldType.BOOLEAN:
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


@workspace_view
def contact_create(request):
    return _contact_form(request, contact=None)


@workspace_view
def contact_edit(request, pk):
    contact = get_object_or_404(Contact.objects.for_workspace(request.workspace), pk=pk)
    return _contact_form(request, contact=contact)


def _contact_form(request, *, contact: Contact | None):
    fields = list(fields_of(request.workspace))
    form = ContactForm(
        request.POST or None, workspace=request.workspace, fields=fields, contact=contact
    )
    if request.method == "POST" and form.is_valid():
        values = form.cleaned_data
        try:
            if contact is None:
                saved = contact_save(workspace=request.workspace, values=values)
            else:
                # Only what the user changed: the page shows the values of when it was
                # opened, and the sync may have brought newer ones since.
                changed = {k: v for k, v in values.items() if k in form.changed_data}
                saved = contact_update(contact=contact, values=changed)
        except IntegrityError:  # the same email was saved meanwhile by someone else
            form.add_error("email", email_taken_message(form.cleaned_data["email"]))
        else:
            messages.success(request, _("Contact %(email)s saved.") % {"email": saved.email})
            return redirect(saved)
    computed = [(f, _display(f, contact.value(f.key))) for f in fields if f.special and contact]
    context = {"form": form, "contact": contact, "computed": computed}
    return render(request, "contacts/contact_form.html", context)


@workspace_view(admin=True)
def contact_delete_view(request, pk):
    contact = get_object_or_404(Contact.objects.for_workspace(request.workspace), pk=pk)
    if request.method == "POST":
        contact_delete(contact=contact)
        messages.success(request, _("Contact %(email)s deleted.") % {"email": contact.email})
        return redirect("contacts:list", request.workspace.slug)
    return render(request, "contacts/contact_confirm_delete.html", {"contact": contact})


# CSV import and export ---------------------------------------------------------------------


@workspace_view
def contact_import(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = import_start(
                workspace=request.workspace, user=request.user, file=form.cleaned_data["file"]
            )
        except CsvRefused as refused:
            form.add_error("file", str(refused))
        else:
            return redirect(job)
    context = {"form": form, "imports": imports_of(request.workspace)[:IMPORTS_LISTED]}
    return render(request, "contacts/contact_import.html", context)


@workspace_view
def import_detail(request, pk):
    job = get_object_or_404(imports_of(request.workspace), pk=pk)
    template = "contacts/_import_report.html" if request.htmx else "contacts/import_detail.html"
    context = {
        "job": job,
        "errors_shown": ERRORS_SHOWN,
        "errors_not_shown": max(0, job.failed - ERRORS_SHOWN),
    }
    return render(request, template, context)


@workspace_view
def contact_export(request):
    response = StreamingHttpResponse(
        _with_bom(contacts_csv_lines(request.workspace)), content_type="text/csv; charset=utf-8"
    )
    filename = f"{request.workspace.slug}-contacts-{date.today().isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _with_bom(lines):
    # Excel reads a CSV as UTF-8 only when it starts with a BOM; our import accepts one.
    yield "\ufeff"
    yield from lines


# Public forms: their settings --------------------------------------------------------------


@workspace_view
def form_list(request):
    forms = [(f, _embed_snippet(f)) for f in forms_of(request.workspace)]
    return render(request, "contacts/form_list.html", {"forms": forms})


@workspace_view(admin=True)
def form_create(request):
    return _form_settings(request, plezi_form=None)


@workspace_view(admin=True)
def form_edit(request, pk):
    plezi_form = get_object_or_404(Form.objects.for_workspace(request.workspace), pk=pk)
    return _form_settings(request, plezi_form=plezi_form)


def _form_settings(request, *, plezi_form: Form | None):
    form = FormSettingsForm(
        request.POST or None, workspace=request.workspace, plezi_form=plezi_form
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved = form_save(
            workspace=request.workspace,
            name=data["name"],
            fields=data["asked_fields"],
            thank_you_message=data["thank_you_message"],
            form=plezi_form,
            actor=request.user,
        )
        messages.success(
            request, _("Form “%(name)s” saved. Share its link or embed it.") % {"name": saved.name}
        )
        return redirect("contacts:form_edit", request.workspace.slug, saved.pk)
    snippet = _embed_snippet(plezi_form) if plezi_form else None
    context = {"form": form, "plezi_form": plezi_form, "snippet": snippet}
    return render(request, "contacts/form_form.html", context)


@workspace_view(admin=True)
def form_delete_view(request, pk):
    plezi_form = get_object_or_404(Form.objects.for_workspace(request.workspace), pk=pk)
    if request.method == "POST":
        form_delete(form=plezi_form, actor=request.user)
        messages.success(
            request,
            _("Form “%(name)s” deleted; its link no longer works.") % {"name": plezi_form.name},
        )
        return redirect("contacts:form_list", request.workspace.slug)
    return render(request, "contacts/form_confirm_delete.html", {"plezi_form": plezi_form})


def _embed_snippet(plezi_form: Form) -> str:
    """HTML + script to paste into a website: it posts the answers as JSON (CORS-enabled)."""
    form = PublicForm(plezi_form=plezi_form, auto_id=f"plezi-{plezi_form.token[:8]}-%s")
    context = {"plezi_form": plezi_form, "form": form, "url": plezi_form.public_url}
    html = render_to_string("contacts/embed_snippet.html", {**context, **_trap_names()})
    return "\n".join(line for line in html.splitlines() if line.strip())


# Public forms: what visitors see -----------------------------------------------------------

# Answers sent as JSON may come from any website (the embed snippet): the
# endpoint is anonymous and sends no cookies, so any origin may call it.
_CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "POST, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type",
    "Access-Control-Max-Age": "86400",
}
_FORM_CONTENT_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}


@csrf_exempt  # only the JSON variant; the HTML variant is checked in `_public_form_html`
@require_http_methods(["GET", "HEAD", "POST", "OPTIONS"])
def public_form(request: HttpRequest, token: str) -> HttpResponse:
    plezi_form = get_object_or_404(Form.objects.select_related("workspace"), token=token)
    as_json = request.content_type == "application/json"
    if request.method == "OPTIONS":
        return _with_cors(HttpResponse(status=204))
    if request.method == "POST":
        refusal = _refuse_submission(request, plezi_form, as_json=as_json)
        if refusal:
            return refusal
        if as_json:
            return _with_cors(_public_form_json(request, plezi_form))
    return _public_form_html(request, plezi_form)


def _refuse_submission(request, plezi_form: Form, *, as_json: bool) -> HttpResponse | None:
    """413, 429 or 400 before the body is read; None when the submission may go on."""
    if _content_length(request) > PUBLIC_BODY_MAX_BYTES:
        message = _("The answers are too large (at most %(size)s KB).") % {
            "size": PUBLIC_BODY_MAX_BYTES // 1024
        }
        return _public_error(request, plezi_form, message, status=413, as_json=as_json)
    if not ratelimit.public_form_allows(form_pk=plezi_form.pk, client=client_ip(request)):
        message = _("Too many submissions from your address: please wait a minute and try again.")
        return _public_error(request, plezi_form, message, status=429, as_json=as_json)
    if not as_json and request.content_type not in _FORM_CONTENT_TYPES:
        message = _(
            "Send the answers as JSON (Content-Type: application/json) "
            "or as an HTML form (application/x-www-form-urlencoded)."
        )
        return _public_error(request, plezi_form, message, status=400, as_json=True)
    return None


def _content_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0  # as Django reads it: a request with no usable length has no body


def _public_error(
    request, plezi_form: Form, message: str, *, status: int, as_json: bool
) -> HttpResponse:
    if as_json:
        return _with_cors(JsonResponse({"errors": {"__all__": [message]}}, status=status))
    context = {"message": message, "plezi_form": plezi_form}  # for the workspace's branding
    return render(request, "contacts/public_form_error.html", context, status=status)


def _with_cors(response: HttpResponse) -> HttpResponse:
    for header, value in _CORS.items():
        response[header] = value
    return response


def _public_form_json(request, plezi_form: Form) -> JsonResponse:
    try:
        answers = _strict_json(request.body)
    except (ValueError, UnicodeDecodeError) as error:
        message = _("The body is not valid JSON (%(error)s).") % {"error": error}
        return JsonResponse({"errors": {"__all__": [message]}}, status=400)
    if not isinstance(answers, dict):
        message = _('Send a JSON object of answers, e.g. {"email": "ada@example.com"}.')
        return JsonResponse({"errors": {"__all__": [message]}}, status=400)
    # No time-to-fill stamp here: the embed snippet lives on the customer's website and
    # posts from a page we never served, so it has no stamp to send back. The honeypot
    # (in the snippet too) and the rate limit guard this door.
    if caught_bot(plezi_form, answers, stamped=False):
        return _received(plezi_form)
    try:
        form_submit(form=plezi_form, data=answers)
    except ValidationError as error:
        return JsonResponse({"errors": error.message_dict}, status=400)
    return _received(plezi_form)


def _strict_json(body: bytes):
    """JSON as RFC 8259 defines it: Python's parser also takes NaN and Infinity, no
    database or Zoho field does. Decimals keep a number as it was written (1e999 is
    not turned into infinity)."""
    return json.loads(body, parse_constant=_refuse_constant, parse_float=Decimal)


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a JSON number: send a finite number, or text")


def _received(plezi_form: Form) -> JsonResponse:
    # One reply whether the email was new or known, a person or a bot, without ids: a
    # reply that differed would tell anyone which addresses are contacts.
    return JsonResponse({"message": plezi_form.thank_you_message})


@csrf_protect
def _public_form_html(request, plezi_form: Form) -> HttpResponse:
    if request.method == "POST":
        return _public_form_html_post(request, plezi_form)
    form = PublicForm(plezi_form=plezi_form)
    return _render_public_form(request, plezi_form, form, stamp=stamp_issue(plezi_form))


def _public_form_html_post(request, plezi_form: Form) -> HttpResponse:
    if caught_bot(plezi_form, request.POST, stamped=True):
        return _thanks(request, plezi_form)
    form = PublicForm(request.POST, plezi_form=plezi_form)
    if form.is_valid():
        try:
            form_submit(form=plezi_form, data=form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error.message_dict)
        else:
            return _thanks(request, plezi_form)
    # The stamp the page was shown with: a fresh one would make a quick fix look like a bot.
    return _render_public_form(request, plezi_form, form, stamp=request.POST[STAMP])


def _render_public_form(request, plezi_form: Form, form: PublicForm, *, stamp: str):
    context = {"plezi_form": plezi_form, "form": form, "stamp": stamp, **_trap_names()}
    return render(request, "contacts/public_form.html", context)


def _trap_names() -> dict[str, str]:
    return {"honeypot": HONEYPOT, "stamp_name": STAMP}


def _thanks(request, plezi_form: Form) -> HttpResponse:
    return render(request, "contacts/public_form_thanks.html", {"plezi_form": plezi_form})
