from django.core.management.base import BaseCommand, CommandError

from accounts.management.workspaces import workspace_named
from contacts.csv_io import contacts_csv_lines, write_csv


class Command(BaseCommand):
    help = (
        "Export a workspace's contacts as CSV (every catalogue key as a column) to FILE or stdout."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The workspace's slug.")
        parser.add_argument(
            "file", nargs="?", help="Path of the CSV file to write (default: stdout)."
        )

    def handle(self, slug, file, **options):
        workspace = workspace_named(slug)
        lines = contacts_csv_lines(workspace)
        if file is None:
            write_csv(lines, self.stdout)  # lines end in \r\n: no newline is added
            return
        try:
            with open(file, "w", encoding="utf-8", newline="") as out:
                count = write_csv(lines, out)
        except OSError as error:
            raise CommandError(f"Cannot write {file}: {error.strerror}.") from error
        self.stdout.write(f"Exported {count} contacts to {file}.")
