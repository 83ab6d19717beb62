from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.access import workspace_view
from mapping.forms import MappingFormSet
from mapping.models import Module
from mapping.selectors import mapping_page, mapping_page_refused
from mapping.services import mapping_save

MODULES = {"leads": Module.LEADS, "contacts": Module.CONTACTS}
PREFIX = "rows"


@workspace_view
def mapping_index(request: HttpRequest) -> HttpResponse:
    return redirect("mapping:edit", request.workspace.slug, "leads")


@workspace_view(read_only_for_members=True)
def mapping_edit(request: HttpRequest, module: str) -> HttpResponse:
    """The mapping of one Zoho module: everyone reads it, admins change it."""
    if module not in MODULES:
        raise Http404("No such Zoho module.")
    if request.method == "POST":
        return _save(request, module)
    return _page(request, module, mapping_page(request.workspace, MODULES[module]))


def _page(request: HttpRequest, module: str, page, *, refused: bool = False) -> HttpResponse:
    editable = [row for row in page.rows if row.editable]
    formset = MappingFormSet(
        prefix=PREFIX,
        initial=[
            {
                "plezi_key": r.plezi.key,
                "zoho_field": r.zoho_field,
                "to_zoho": r.to_zoho,
                "from_zoho": r.from_zoho,
            }
            for r in editable
        ],
    )
    forms = iter(formset)
    context = {
        "page": page,
        "module_slug": module,
        "modules": MODULES,
        "formset": formset,
        "rows": [(row, next(forms) if row.editable else None) for row in page.rows],
        "can_edit": request.membership.is_admin,
        "workspace_slug": request.workspace.slug,
        "refused": refused,
    }
    return render(request, "mapping/edit.html", context)


def _save(request: HttpRequest, module: str) -> HttpResponse:
    formset = MappingFormSet(request.POST, prefix=PREFIX)
    if not formset.is_valid():
        messages.error(
            request, _("The mapping form was incomplete: reload the page and try again.")
        )
        return redirect("mapping:edit", request.workspace.slug, module)
    rows = [form.cleaned_data for form in formset]
    report = mapping_save(
        workspace=request.workspace, module=MODULES[module], rows=rows, actor=request.user
    )
    if report.saved:
        saved = ngettext(
            "Mapping saved: %(count)s field changed.",
            "Mapping saved: %(count)s fields changed.",
            report.saved,
        )
        messages.success(request, saved % {"count": report.saved})
    if not report.errors:
        if not report.saved:
            messages.info(request, _("Nothing to save: the mapping is unchanged."))
        return redirect("mapping:edit", request.workspace.slug, module)
    for error in report.errors:
        messages.error(request, error)
    # Rendered, not redirected: the refused rows keep what the user chose, marked in error.
    page = mapping_page(request.workspace, MODULES[module])
    page = mapping_page_refused(page, rows, report.refused)
    return _page(request, module, page, refused=True)
