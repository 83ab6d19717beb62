from django.shortcuts import get_object_or_404, render

from accounts.access import workspace_view
from contacts.models import Contact


@workspace_view
def contact_list(request):
    contacts = Contact.objects.for_workspace(request.workspace)[:50]
    return render(request, "contacts/contact_list.html", {"contacts": contacts})


@workspace_view
def contact_detail(request, pk):
    contact = get_object_or_404(Contact.objects.for_workspace(request.workspace), pk=pk)
    return render(request, "contacts/contact_detail.html", {"contact": contact})


form_list = field_list = contact_list


def public_form(request, token):
    raise NotImplementedError
