"""The Zoho configuration form: the seed's fields, labels and where to find each value.

The form only collects and renders; `integration.services.connection_update`
checks formats and Zoho, so the page and `manage.py zoho_connect` share every
check. Secrets are never rendered back: blank keeps the saved value.
"""

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from integration.models import ZohoConnection
from integration.zoho.domains import data_centers
from integration.zoho.oauth import SCOPES


def domain_choices() -> list[tuple[str, str]]:
    return [(dc.key, dc.label) for dc in data_centers().values()]


class ConnectionForm(forms.Form):
    client_id = forms.CharField(
        label=_("Zoho Client"),
        max_length=200,
        help_text=_(
            "In your Zoho developer account (the API console, e.g. "
            "accounts.zoho.eu/developerconsole) click the three dots of your client and "
            "“Edit”, or create a new client; copy its Client ID."
        ),
    )
    client_secret = forms.CharField(
        label=_("Zoho Client Secret"),
        max_length=200,
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("Copy the Client Secret shown with the Client ID."),
    )
    org = forms.CharField(
        label=_("Zoho Org"),
        max_length=200,
        help_text=_(
            "Click the Leads or Contacts tab of your Zoho CRM: the address contains "
            "the org, as in crm.zoho.eu/crm/org5444456755445/tab/…. Copy from “org” to the end "
            "of the numbers, e.g. org5444456755445 (yours is different)."
        ),
    )
    code = forms.CharField(
        label=_("Zoho code"),
        max_length=300,
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=format_lazy(
            _(
                "In the API console click the three dots and “Self-client”. In Scope enter "
                "{scopes}, set the expiration to 10 minutes (time enough for a coffee or a "
                "tea ☕), click “View Code” and paste the code here."
            ),
            scopes=SCOPES,
        ),
    )
    domain = forms.ChoiceField(
        label=_("Zoho domain"),
        help_text=_(
            "The domain of your CRM, found in its address: in crm.zoho.eu the domain is “eu”."
        ),
    )
    crm_url = forms.CharField(
        label=_("Zoho CRM URL"),
        max_length=200,
        required=False,
        help_text=_(
            "Enter https://www.zohoapis.com/crm/v2/ — for another domain, replace “com” "
            "with it (e.g. https://www.zohoapis.eu/crm/v2/). Filled in from the domain when left "
            "empty."
        ),
    )
    filter_field = forms.CharField(
        label=_("Zoho contact field"),
        max_length=100,
        required=False,
        help_text=_(
            "Optional, to synchronise only selected contacts: the name of a field you "
            "created in Zoho (open a contact, “Edit Page Layout”, field type “Single line”), "
            "e.g. crm_to_plezi."
        ),
    )
    filter_value = forms.CharField(
        label=_("Zoho contact value"),
        max_length=255,
        required=False,
        help_text=_(
            "The value that field must hold for a contact to be synchronised, e.g. "
            "“yes”. Fill in both, or neither to synchronise every contact."
        ),
    )

    def __init__(self, *args, connection: ZohoConnection | None = None, **kwargs) -> None:
        if connection is not None and "initial" not in kwargs:
            kwargs["initial"] = initial_for(connection)
        super().__init__(*args, **kwargs)
        self.connection = connection
        self.fields["domain"].choices = domain_choices()
        if connection is None:
            self.fields["domain"].initial = "com"
        if connection is not None and connection.client_secret:
            secret = self.fields["client_secret"]
            kept = gettext("Saved: leave empty to keep it.")
            secret.help_text = f"{secret.help_text} {kept}"
        if connection is not None and connection.refresh_token:
            kept = gettext(
                "Connected: leave empty to keep the connection (a new client or domain "
                "needs a new code)."
            )
            self.fields["code"].help_text = f"{self.fields['code'].help_text} {kept}"
        for name, bound in self.fields.items():
            if name in ("client_id", "client_secret", "code", "org", "crm_url", "filter_field"):
                bound.widget.attrs.setdefault("spellcheck", "false")
        self.fields["crm_url"].widget.attrs["data-crm-urls"] = " ".join(
            f"{dc.key}={dc.crm_url}" for dc in data_centers().values()
        )

    def note_secrets(self, *, kept: bool, code_unused: bool) -> list[str]:
        """After a refusal: the secret fields to type again, their help saying why.

        Secrets are never rendered back. `kept`: the tokens a code bought wait for
        the next try, with the secret they were bought with, so both may stay empty.
        """
        if kept:
            note = gettext("Kept from your last try: leave empty.")
            for name in ("client_secret", "code"):
                # The bound field copied the help text when validation first built it.
                self.fields[name].help_text = self[name].help_text = (
                    f"{self.fields[name].help_text} {note}"
                )
            return []
        names = ["client_secret", "code"] if code_unused else ["client_secret"]
        return [str(self.fields[n].label) for n in names if self.data.get(n)]


def initial_for(connection: ZohoConnection) -> dict:
    """Everything but the secrets (never rendered back)."""
    return {
        "client_id": connection.client_id,
        "org": connection.org,
        "domain": connection.domain,
        "crm_url": connection.crm_url,
        "filter_field": connection.filter_field,
        "filter_value": connection.filter_value,
    }


class LimitsForm(forms.ModelForm):
    """The org's Zoho edition and the sync's own daily credit cap (no Zoho call to save)."""

    daily_credit_cap = forms.IntegerField(
        label=_("Daily credit cap for the sync"),
        required=False,
        min_value=1,
        max_value=100_000_000,
        help_text=_(
            "Optional: the most Zoho API credits the synchronisation may spend in any "
            "24 hours, to leave room for your other Zoho tools. A run that reaches it stops "
            "and the next runs go on as credits free up; form submissions always go through. "
            "Empty: only Zoho's own daily limit applies."
        ),
    )

    class Meta:
        model = ZohoConnection
        fields = ["edition", "daily_credit_cap"]
        labels = {"edition": _("Zoho CRM edition")}
        help_texts = {
            "edition": _(
                "Your Zoho CRM plan (in Zoho: Setup → Billing). It sets how many calls "
                "Plezi makes at once: Free 5, Standard 10, Professional 15, Enterprise 20, "
                "Ultimate 25. Filled in from Zoho when the code carries ZohoCRM.org.READ."
            ),
        }
