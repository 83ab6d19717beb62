from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import MaxLengthValidator, validate_email, validate_slug

from accounts.models import Membership, Workspace
from accounts.services import membership_grant, user_ensure, workspace_create


class Command(BaseCommand):
    help = "Create a workspace (and optionally its admin user). Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--name", required=True)
        parser.add_argument("--admin-email")
        parser.add_argument("--admin-password")

    def handle(self, slug, name, admin_email, admin_password, **options):
        try:
            validate_slug(slug)
            MaxLengthValidator(Workspace._meta.get_field("slug").max_length)(slug)
            MaxLengthValidator(Workspace._meta.get_field("name").max_length)(name)
            if admin_email:
                validate_email(admin_email)
            if admin_password:
                validate_password(admin_password)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        if admin_password and not admin_email:
            raise CommandError("--admin-password needs --admin-email.")

        workspace, created = workspace_create(slug=slug, name=name)
        self.stdout.write(f"{'Created' if created else 'Kept existing'} workspace {slug!r}.")
        if admin_email:
            user, user_created = user_ensure(email=admin_email, password=admin_password)
            membership_grant(workspace=workspace, user=user, role=Membership.Role.ADMIN)
            state = "Created" if user_created else "Updated"
            self.stdout.write(f"{state} admin {user.username} of {slug!r}.")
