from dataclasses import dataclass

from django.db.models import Q, QuerySet

from accounts.models import Workspace
from contacts.models import Contact, ContactImport, Field, Form


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


def imports_of(workspace: Workspace) -> QuerySet[ContactImport]:
    """The workspace's CSV imports, newest first, without their files."""
    return ContactImport.objects.for_workspace(workspace).defer("data")


def contact_email_taken(workspace: Workspace, email: str, *, exclude_pk: int | None = None) -> bool:
    """Whether another contact of `workspace` has `email`, whatever its case."""
    contacts = Contact.objects.for_workspace(workspace).filter(email__iexact=email)
    if exclude_pk is not None:
        contacts = contacts.exclude(pk=exclude_pk)
    return contacts.exists()


@dataclass
class ContactPage:
    """One page of a contact list, newest first, and whether there are pages around it."""

    contacts: list[Contact]
    total: int
    has_previous: bool
    has_next: bool

    @property
    def first_id(self) -> int | None:
        return self.contacts[0].pk if self.contacts else None

    @property
    def last_id(self) -> int | None:
        return self.contacts[-1].pk if self.contacts else None


def contacts_page(
    contacts: QuerySet[Contact],
    *,
    after: int | None = None,
    before: int | None = None,
    size: int = 50,
) -> ContactPage:
    """The page of `contacts` just after id `after` (older) or just before id `before` (newer).

    Keyset pagination on -id: every page costs the same index range scan however
    deep it is, unlike OFFSET, which reads and discards every row before the page.
    """
    if before is not None:
        rows = list(contacts.filter(pk__gt=before).order_by("id")[:size])[::-1]
    elif after is not None:
        rows = list(contacts.filter(pk__lt=after).order_by("-id")[:size])
    else:
        rows = []
    if not rows:  # no cursor, or one past either end: start over
        rows = list(contacts.order_by("-id")[:size])
    return ContactPage(
        contacts=rows,
        total=contacts.count(),
        has_previous=bool(rows) and contacts.filter(pk__gt=rows[0].pk).exists(),
        has_next=bool(rows) and contacts.filter(pk__lt=rows[-1].pk).exists(),
    )
