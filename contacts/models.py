import secrets
from datetime import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from accounts.models import Workspace, WorkspaceQuerySet
from contacts.catalogue import MAX_BEHAVIOUR_SCORE, STANDARD_KEYS, STATES, FieldType

field_key_validator = RegexValidator(
    r"^[a-z][a-z0-9_]{0,49}$",
    "Use lowercase letters, digits and underscores, starting with a letter.",
)


class Field(models.Model):
    """One entry of a workspace's field catalogue: what a contact can hold."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="fields")
    key = models.CharField(max_length=50, validators=[field_key_validator])
    label = models.CharField(max_length=100)
    type = models.CharField(max_length=20, choices=FieldType.CHOICES)
    choices = models.JSONField(default=list, blank=True)
    mandatory = models.BooleanField(default=False)
    special = models.BooleanField(
        default=False, help_text=_("Computed by Plezi: read-only, only ever sent to the CRM.")
    )
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "key"], name="unique_field_key"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def is_standard(self) -> bool:
        """Standard fields are columns of Contact; the others live in `custom`."""
        return self.key in STANDARD_KEYS


class Contact(models.Model):
    """A person in Plezi, identified by email within the workspace."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="contacts")
    # Stored lower-cased (see `contacts.values.normalise_email`); the constraint
    # below also holds for rows written around the services.
    email = models.EmailField(max_length=254)
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    company = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=30, blank=True)
    mobile = models.CharField(max_length=30, blank=True)
    job_title = models.CharField(max_length=100, blank=True)
    website = models.CharField(max_length=255, blank=True)
    city = models.CharField(max_length=100, blank=True)
    country = models.CharField(max_length=100, blank=True)
    lead_source = models.CharField(max_length=100, blank=True)
    email_opt_out = models.BooleanField(default=False)
    behaviour_score = models.PositiveSmallIntegerField(
        default=0, validators=[MaxValueValidator(MAX_BEHAVIOUR_SCORE)]
    )
    state = models.CharField(max_length=20, default=STATES[0], choices=[(s, s) for s in STATES])
    custom = models.JSONField(default=dict, blank=True)
    # When a Plezi writer last changed each field (ISO times by key): the sync's
    # "most recent change wins" compares a field's own change, not the record's.
    field_changed_at = models.JSONField(default=dict, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                "workspace",
                Lower("email"),
                name="unique_contact_email_per_workspace",
                violation_error_message="Another contact of this workspace has this email.",
            ),
        ]
        indexes = [
            # The contact list pages through a workspace by id (keyset pagination).
            models.Index(fields=["workspace", "-id"], name="contact_ws_id"),
            # The sync selects "changed since" per workspace.
            models.Index(fields=["workspace", "updated_at"], name="contact_ws_updated"),
            # Upserts look contacts up by their (already lower-cased) email.
            models.Index(fields=["workspace", "email"], name="contact_ws_email"),
            models.Index(fields=["workspace", "last_name"], name="contact_ws_last_name"),
        ]

    def __str__(self) -> str:
        return self.email

    def get_absolute_url(self) -> str:
        return reverse(
            "contacts:detail", kwargs={"workspace_slug": self.workspace.slug, "pk": self.pk}
        )

    @property
    def plezi_url(self) -> str:
        """The absolute link a sales rep follows from Zoho to this record."""
        return settings.SITE_URL + self.get_absolute_url()

    @property
    def full_name(self) -> str:
        return " ".join(p for p in [self.first_name, self.last_name] if p)

    def value(self, key: str):
        """The value of field `key`, standard column or custom."""
        if key in STANDARD_KEYS:
            return getattr(self, key)
        return self.custom.get(key)

    def set_value(self, key: str, value, *, at: datetime | None = None) -> None:
        """Set field `key`; a Plezi writer passes `at`, the time the change is remembered by."""
        before = self.value(key)
        if key in STANDARD_KEYS:
            setattr(self, key, _column_value(self, key, value))
        elif value in (None, "", []):
            self.custom.pop(key, None)
        else:
            self.custom[key] = value
        if at is not None and self.value(key) != before:
            self.field_changed_at[key] = at.isoformat()

    def changed_at(self, key: str) -> datetime:
        """When Plezi last changed field `key` (the record's last change if never recorded)."""
        stamp = self.field_changed_at.get(key)
        return datetime.fromisoformat(stamp) if stamp else self.updated_at


def _column_value(contact: Contact, key: str, value):
    """Columns hold blanks as their empty default rather than NULL."""
    if value is not None:
        return value
    return contact._meta.get_field(key).get_default()


def _new_form_token() -> str:
    return secrets.token_urlsafe(16)


# Stored as it is; the new-form page offers it in the marketer's language.
THANK_YOU_DEFAULT = gettext_noop("Thank you! We will be in touch soon.")


class Form(models.Model):
    """A public Plezi form: visitors fill it in without logging in."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="forms")
    name = models.CharField(max_length=100)
    fields = models.ManyToManyField(Field, related_name="forms")
    token = models.CharField(max_length=40, unique=True, default=_new_form_token, editable=False)
    thank_you_message = models.CharField(max_length=300, default=THANK_YOU_DEFAULT)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_public_url(self) -> str:
        return reverse("contacts:public_form", kwargs={"token": self.token})

    @property
    def public_url(self) -> str:
        """The absolute link visitors open (and embed snippets post to)."""
        return settings.SITE_URL + self.get_public_url()


class ContactImport(models.Model):
    """A CSV file being imported in the background, and what it did, line by line.

    The file is kept in the row (every worker machine reads it) until the import ends.
    Progress commits with each chunk of contacts it wrote, so an import a killed worker
    left resumes after its last written line: no line is imported twice."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Finished")
        FAILED = "failed", _("Failed")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="imports")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    filename = models.CharField(max_length=255)
    data = models.BinaryField(editable=False)
    lines = models.PositiveIntegerField(default=0)  # of the file, for the progress bar
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    line_reached = models.PositiveIntegerField(default=0)  # last line written, with its chunk
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)  # [line, message], the first ones
    unknown_columns = models.JSONField(default=list, blank=True)
    message = models.TextField(blank=True)  # why the import failed as a whole
    holder = models.CharField(max_length=40, blank=True)
    beat_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["status", "beat_at"],
                name="import_unfinished",
                condition=models.Q(status__in=["queued", "running"]),
            )
        ]

    def __str__(self) -> str:
        return self.filename

    def get_absolute_url(self) -> str:
        return reverse(
            "contacts:import_detail",
            kwargs={"workspace_slug": self.workspace.slug, "pk": self.pk},
        )

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self) -> int:
        if self.is_finished:
            return 100
        return min(99, self.line_reached * 100 // self.lines) if self.lines else 0

    def summary(self) -> str:
        return (
            f"created={self.created} updated={self.updated} "
            f"unchanged={self.unchanged} failed={self.failed}"
        )
