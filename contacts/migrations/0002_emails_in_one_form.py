"""Stored emails in the one form `normalise_email` gives (NFC, IDNA domain).

Before, an address typed in NFD or with a Unicode domain was stored as typed, so the
same person could be two contacts. Each address is rewritten to its one form unless
another contact of the workspace already holds that form: those pairs are printed for
an operator to merge by hand, never merged here (which of the two is right is a person's
call). An address that cannot be normalised (an invisible character) is printed too.
"""

from django.core.exceptions import ValidationError
from django.db import migrations


def emails_in_one_form(apps, schema_editor):
    from contacts.values import normalise_email

    Contact = apps.get_model("contacts", "Contact")
    taken = set(Contact.objects.values_list("workspace_id", "email"))
    for contact in Contact.objects.only("pk", "workspace_id", "email").iterator():
        try:
            email = normalise_email(contact.email)
        except ValidationError as error:
            print(f"\n  contact {contact.pk}: {error.messages[0]} Left as it is.")
            continue
        if email == contact.email:
            continue
        if (contact.workspace_id, email) in taken:
            print(
                f"\n  contact {contact.pk} ({contact.email!a}) is the same address as another "
                f"contact of workspace {contact.workspace_id} ({email}): merge them by hand."
            )
            continue
        Contact.objects.filter(pk=contact.pk).update(email=email)
        taken.add((contact.workspace_id, email))


class Migration(migrations.Migration):
    dependencies = [("contacts", "0001_initial")]

    operations = [migrations.RunPython(emails_in_one_form, migrations.RunPython.noop)]
