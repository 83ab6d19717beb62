from django.core.management.base import BaseCommand, CommandError

from accounts.management.workspaces import workspace_named
from contacts.csv_io import CsvRefused, contacts_import_csv


class Command(BaseCommand):
    help = (
        "Import contacts from a UTF-8 CSV file whose first line names field keys "
        "(email,first_name,…). Contacts are upserted by email; blank cells keep stored values."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The workspace's slug.")
        parser.add_argument("file", help="Path of the CSV file.")

    def handle(self, slug, file, **options):
        workspace = workspace_named(slug)
        try:
            with open(file, "rb") as csv_file:
                result = contacts_import_csv(workspace=workspace, file=csv_file)
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from error
        except CsvRefused as refused:
            raise CommandError(f"{file} was not imported: {refused}") from refused
        if result.unknown_columns:
            columns = ", ".join(result.unknown_columns)
            self.stdout.write(f"Ignored unknown columns: {columns}.")
        for line in result.error_lines():
            self.stdout.write(line)
        if result.errors_not_shown():
            self.stdout.write(f"… and {result.errors_not_shown()} more errors.")
        self.stdout.write(result.summary())
