from django.db.models import Q, QuerySet

from accounts.models import Workspace
from contacts.models import Contact, Field, Form


def fields_of(workspace: Workspace) -> QuerySet[Field]:
    return Field.objects.for_workspace(workspace).order_by("position", "id")


def fields_by_key(workspace: Workspace) -> dict[str, Field]:
    return {field.key: field for field in fields_of(workspace)}


def contacts_search(workspace: Workspace, *, query: str = "", filters: dict | None = None):
    """Contacts of `workspace` matching a free-text query (email or name) and exact filters."""
    contacts = Contact.objects.for_workspace(workspace)
    if query:
        contacts = contacts.filter(
            Q(email__icontains=query)
            | Q(first_name__icontains=query)
            | Q(last_name__icontains=query)
            | Q(company__icontains=query)
        )
    for key, value in (filters or {}).items():
        if value not in (None, ""):
            contacts = contacts.filter(**{key: value})
    return contacts


def forms_of(workspace: Workspace) -> QuerySet[Form]:
    return Form.objects.for_workspace(workspace).prefetch_related("fields")
