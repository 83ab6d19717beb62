from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Workspace, WorkspaceQuerySet
from integration.crypto import EncryptedTextField
from integration.zoho.editions import Edition


class ZohoConnection(models.Model):
    """A workspace's link to its Zoho CRM org (one per workspace).

    The client secret and both tokens are encrypted at rest and never shown
    back: forms leave them blank, the admin masks them. The field metadata
    snapshot lives in the mapping app (ZohoFieldSet), not here.
    """

    class Status(models.TextChoices):
        CONNECTED = "connected", _("Connected")
        NEEDS_RECONNECT = "needs_reconnect", _("Needs reconnecting")
        ERROR = "error", _("Error")

    workspace = models.OneToOneField(
        Workspace, on_delete=models.CASCADE, related_name="zoho_connection"
    )
    # The data center key the customer chose ("eu"); its hosts come from
    # integration.zoho.domains, never from this row.
    domain = models.CharField(max_length=10)
    org = models.CharField(max_length=40, help_text=_("As in the CRM address: org5444456755445."))
    org_name = models.CharField(max_length=200, blank=True)
    # False when the code's scopes did not let us read the org to compare it.
    org_verified = models.BooleanField(default=False)
    crm_url = models.URLField(_("CRM URL"), help_text=_("As entered, checked against the domain."))
    api_domain = models.URLField(help_text=_("The API domain Zoho returned with the tokens."))
    client_id = models.CharField("client ID", max_length=200)
    client_secret = EncryptedTextField(blank=True)
    refresh_token = EncryptedTextField(blank=True)
    access_token = EncryptedTextField(blank=True)
    access_token_expires_at = models.DateTimeField(null=True, blank=True)
    tokens_refreshed_at = models.DateTimeField(null=True, blank=True)
    scopes = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.CONNECTED)
    last_error = models.TextField(blank=True, help_text=_("In plain words; never a secret."))
    last_error_at = models.DateTimeField(null=True, blank=True)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    filter_field = models.CharField(max_length=100, blank=True)
    filter_value = models.CharField(max_length=255, blank=True)
    edition = models.CharField(max_length=20, choices=Edition.choices, default=Edition.STANDARD)
    # Zoho caps calls in flight per org by edition (editions.ALLOWANCES); set with the
    # edition by connection_limits_update, kept as a column for the limiters.
    max_concurrency = models.PositiveSmallIntegerField(default=10)
    daily_credit_cap = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text=_("Credits the sync may spend in any 24 hours; empty: no cap of our own."),
    )
    connected_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(max_concurrency__gte=1), name="zoho_connection_concurrency_min"
            ),
            # The seed: a filter is a field and a value, both or neither.
            models.CheckConstraint(
                condition=models.Q(filter_field="", filter_value="")
                | (~models.Q(filter_field="") & ~models.Q(filter_value="")),
                name="zoho_connection_filter_pair",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.workspace} → Zoho {self.org} ({self.domain})"

    @property
    def is_usable(self) -> bool:
        """Whether a sync may try to call Zoho (an `error` status may be passing trouble)."""
        return bool(self.refresh_token) and self.status != self.Status.NEEDS_RECONNECT


class PendingGrant(models.Model):
    """Tokens from a code whose configuration failed a check made after the exchange.

    A Zoho code works once: when the org or the filter field is wrong, the tokens
    it bought wait here (encrypted, like the connection's) so the admin corrects
    the field and saves again without a new code. Used or replaced by the next
    configuration; never used by the sync.
    """

    workspace = models.OneToOneField(
        Workspace, on_delete=models.CASCADE, related_name="pending_grant"
    )
    # What the code was exchanged with: another client or domain needs another code.
    client_id = models.CharField(max_length=200)
    domain = models.CharField(max_length=10)
    client_secret = EncryptedTextField()
    refresh_token = EncryptedTextField()
    access_token = EncryptedTextField(blank=True)
    access_token_expires_at = models.DateTimeField(null=True, blank=True)
    api_domain = models.URLField(blank=True)
    scope = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = WorkspaceQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.workspace}: tokens waiting for a valid configuration"


class ZohoConcurrencySlot(models.Model):
    """One of an org's concurrent-call slots, leased for one HTTP call at a time.

    The database-backed limiter (integration.limits) when there is no
    Redis: a conditional UPDATE takes a slot whose lease has run out, so every
    worker process on every machine shares the org's cap. A lease expires by
    itself, so a worker killed mid-call frees its slot.
    """

    org_key = models.CharField(max_length=100)
    slot = models.PositiveSmallIntegerField()
    leased_until = models.DateTimeField()
    holder = models.CharField(max_length=32, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["org_key", "slot"], name="unique_concurrency_slot"),
        ]

    def __str__(self) -> str:
        return f"{self.org_key} slot {self.slot}"


class SyncState(models.Model):
    """One Plezi contact's link to Zoho and the values both sides last agreed on."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    contact = models.OneToOneField(
        "contacts.Contact", on_delete=models.CASCADE, related_name="sync_state"
    )
    zoho_module = models.CharField(max_length=20, blank=True)
    zoho_id = models.CharField(max_length=40, blank=True)
    # The mapped values both sides agreed on after the last sync (three-way merge).
    shadow = models.JSONField(default=dict, blank=True)
    zoho_modified_at = models.DateTimeField(null=True, blank=True)
    # The contact's values as of this time are in Zoho; later edits are pending.
    synced_at = models.DateTimeField(null=True, blank=True)
    # Deleted in Zoho: not re-created unless the contact changes again.
    unlinked_by_deletion = models.BooleanField(default=False)
    # Sales moved the lead out of the workspace's filter: no push until it is back in.
    left_scope = models.BooleanField(default=False)
    last_outcome = models.CharField(max_length=200, blank=True)
    last_run = models.ForeignKey(
        "SyncRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "zoho_module", "zoho_id"], name="syncstate_zoho_id"),
        ]

    def __str__(self) -> str:
        return f"{self.contact_id} ⇄ {self.zoho_module or '-'} {self.zoho_id or ''}"


class SyncWatermark(models.Model):
    """Per module: Zoho records modified before this time were all pulled."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    module = models.CharField(max_length=20)
    modified_since = models.DateTimeField()

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "module"], name="unique_watermark"),
        ]

    def __str__(self) -> str:
        return f"{self.module} since {self.modified_since:%Y-%m-%d %H:%M:%S}"


class SyncLock(models.Model):
    """One run per workspace at a time, across workers and machines: a lease.

    A run holds the lease while it works and a heartbeat renews it; a killed
    worker's lease simply expires. What to run is not here but in `SyncRequest`.
    """

    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, related_name="+")
    holder = models.CharField(max_length=64, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"lock of {self.workspace_id}"


class SyncRun(models.Model):
    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", _("Every two hours")
        FORM = "form", _("Form submission")
        MANUAL = "manual", _("Synchronise now")
        RESYNC = "resync", _("Resync everything")
        RETRY = "retry", _("Retry failed records")
        COMMAND = "command", _("Command line")

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        SUCCESS = "success", _("Success")
        PARTIAL = "partial", _("Partial")
        FAILED = "failed", _("Failed")

    class Outcome(models.TextChoices):
        """What the pages show of a run: a skipped or failed record needs attention."""

        RUNNING = "running", _("Running")
        SUCCESS = "success", _("Success")
        ATTENTION = "attention", _("Needs attention")
        FAILED = "failed", _("Failed")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="sync_runs")
    trigger = models.CharField(max_length=20, choices=Trigger.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    full = models.BooleanField(default=False)
    dry_run = models.BooleanField(default=False)
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(default=timezone.now)
    phase = models.CharField(max_length=40, blank=True)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    pulled = models.PositiveIntegerField(default=0)
    created_plezi = models.PositiveIntegerField(default=0)
    updated_plezi = models.PositiveIntegerField(default=0)
    pushed = models.PositiveIntegerField(default=0)
    created_zoho = models.PositiveIntegerField(default=0)
    updated_zoho = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    conflicts = models.PositiveIntegerField(default=0)
    echoes = models.PositiveIntegerField(default=0)
    api_calls = models.PositiveIntegerField(default=0)
    credits = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    # A dry run's preview: what would be created/updated, field by field.
    preview = models.JSONField(default=list, blank=True)
    # A fast-lane run (form submissions sent at once) ran inside this run's lease, between
    # two of its pages: the one case where two runs of a workspace overlap in time.
    within = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="fast_lane_runs"
    )

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["workspace", "-started_at"], name="syncrun_ws_started")]

    def __str__(self) -> str:
        return f"{self.get_trigger_display()} {self.started_at:%Y-%m-%d %H:%M} ({self.status})"

    COUNTERS = (
        "pulled",
        "created_plezi",
        "updated_plezi",
        "pushed",
        "created_zoho",
        "updated_zoho",
        "skipped",
        "failed",
        "conflicts",
        "echoes",
    )

    @property
    def is_running(self) -> bool:
        return self.status == self.Status.RUNNING

    @property
    def outcome(self) -> str:
        """`status` says how the run ended; a run that ended well may still have left
        records behind (a form without a last name is skipped): the marketer must act."""
        if self.status == self.Status.SUCCESS and (self.skipped or self.failed):
            return self.Outcome.ATTENTION
        if self.status == self.Status.PARTIAL:
            return self.Outcome.ATTENTION
        return self.status

    @property
    def needs_attention(self) -> bool:
        return self.outcome == self.Outcome.ATTENTION

    def get_outcome_display(self) -> str:
        return self.Outcome(self.outcome).label

    @property
    def progress_percent(self) -> int:
        if not self.total:
            return 0 if self.is_running else 100
        return min(100, round(100 * self.done / self.total))

    def summary(self) -> str:
        counts = " ".join(f"{name}={getattr(self, name)}" for name in self.COUNTERS)
        return f"status={self.status} {counts} api_calls={self.api_calls} credits={self.credits}"


class SyncRequest(models.Model):
    """One trigger (a form, a click, the schedule…), written with what caused it.

    The broker only carries a wake-up: the rows are what must be done, so a lost
    task or a killed worker delays a request, never loses it. The lease holder
    takes open requests (`holder`), serves them in one run and closes them.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    trigger = models.CharField(max_length=20, choices=SyncRun.Trigger.choices)
    full = models.BooleanField(default=False)
    dry_run = models.BooleanField(default=False)
    # Only these contacts (a form, a retry); null: the whole workspace.
    contact_ids = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # When a worker was last asked to serve it (the wake-up): recovery asks again later.
    woken_at = models.DateTimeField(default=timezone.now)
    holder = models.CharField(max_length=64, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    run = models.ForeignKey(
        "SyncRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="requests"
    )

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(
                fields=["workspace", "created_at"],
                condition=models.Q(done_at__isnull=True),
                name="syncrequest_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.trigger} for {self.workspace_id} at {self.created_at:%Y-%m-%d %H:%M:%S}"


class SyncIssue(models.Model):
    """One record that was skipped, failed, in conflict or worth a note, in plain words."""

    class Kind(models.TextChoices):
        ERROR = "error", _("Failed")
        SKIPPED = "skipped", _("Skipped")
        CONFLICT = "conflict", _("Conflict")
        DUPLICATE = "duplicate", _("Duplicate in Zoho")
        CONSENT = "consent", _("Consent change")
        NOTICE = "notice", _("Worth knowing")

    class Direction(models.TextChoices):
        TO_ZOHO = "to_zoho", _("Plezi → Zoho")
        FROM_ZOHO = "from_zoho", _("Zoho → Plezi")

    run = models.ForeignKey(SyncRun, on_delete=models.CASCADE, related_name="issues")
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey(
        "contacts.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    email = models.CharField(max_length=254, blank=True)
    zoho_id = models.CharField(max_length=40, blank=True)
    module = models.CharField(max_length=20, blank=True)
    direction = models.CharField(max_length=10, choices=Direction.choices)
    field = models.CharField(max_length=100, blank=True)
    code = models.CharField(max_length=50, blank=True)
    message = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["workspace", "contact"], name="syncissue_contact")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.email or self.zoho_id}"
