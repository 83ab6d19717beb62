"""Forms of the contact store.

Contact forms are built from the workspace's field catalogue; their values are
judged by `contacts.values.clean_value`, the rule set every other write path
uses, so a value gets the same message wherever it is refused.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import Workspace
from contacts.catalogue import STATES, FieldType
from contacts.models import THANK_YOU_DEFAULT, Field, Form, field_key_validator
from contacts.selectors import contact_email_taken
from contacts.values import clean_value, clean_values, max_length

IMPORT_MAX_BYTES = 50 * 1024 * 1024
MAX_CHOICE_LENGTH = 100
CHOICE_TYPES = {FieldType.CHOICE, FieldType.MULTI_CHOICE}
CONTACT_EMAIL_REQUIRED = _("Every contact needs an email address.")
PUBLIC_EMAIL_REQUIRED = _("Please give your email address.")  # as `form_submit` says it
# Browsers fill these in for visitors (WCAG 1.3.5, identify input purpose).
_AUTOCOMPLETE = {
    "email": "email",
    "first_name": "given-name",
    "last_name": "family-name",
    "company": "organization",
    "job_title": "organization-title",
    "phone": "tel",
    "mobile": "tel",
    "website": "url",
    "city": "address-level2",
    "country": "country-name",
}


class CatalogueField(forms.Field):
    """The form field of one catalogue field: a widget for its type, the raw value kept.

    It does no validation of its own beyond "required": the form runs
    `clean_value` over all values, so the messages are the shared ones.
    """

    def __init__(self, field: Field, *, public: bool = False, **kwargs) -> None:
        self.catalogue_field = field
        kwargs.setdefault("label", field.label)
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", _widget(field, public=public))
        super().__init__(**kwargs)

    def to_python(self, value):
        return value

    def has_changed(self, initial, data) -> bool:
        if initial is None:  # the post carries no copy of the value shown: it counts
            return True
        # Compared as stored values: the page's hidden copy of the initial value comes
        # back as text ("False", "5"), the widget's value may not be.
        try:
            return clean_value(self.catalogue_field, initial) != clean_value(
                self.catalogue_field, data
            )
        except ValidationError:
            return True


def _widget(field: Field, *, public: bool) -> forms.Widget:
    attrs = {"autocomplete": _AUTOCOMPLETE[field.key]} if field.key in _AUTOCOMPLETE else {}
    choices = [(c, c) for c in field.choices]
    match field.type:
        case FieldType.LONG_TEXT:
            return forms.Textarea(attrs={**attrs, "rows": 3})
        case FieldType.EMAIL:
            return forms.EmailInput(attrs=attrs)
        case FieldType.PHONE:
            return forms.TextInput(attrs={**attrs, "type": "tel"})
        case FieldType.NUMBER:
            return forms.TextInput(attrs={**attrs, "inputmode": "decimal"})
        case FieldType.CHOICE:
            return forms.Select(attrs=attrs, choices=[("", "—"), *choices])
        case FieldType.MULTI_CHOICE:
            return forms.CheckboxSelectMultiple(choices=choices)
        case FieldType.DATE:
            return forms.DateInput(attrs={**attrs, "type": "date"}, format="%Y-%m-%d")
        case FieldType.BOOLEAN if public:
            # A visitor who leaves it alone keeps what is stored: blank is an answer.
            return forms.Select(choices=[("", "—"), ("yes", _("Yes")), ("no", _("No"))])
        case FieldType.BOOLEAN:
            return forms.CheckboxInput()
    return forms.TextInput(attrs={**attrs, "maxlength": max_length(field)})


class ContactForm(forms.Form):
    """Create or edit a contact: every non-computed field of the catalogue, in order.

    `behaviour_score` and `state` are computed by Plezi, so they are not on the
    form (the edit page shows them read-only). Blank values erase here: this
    is the one place a user can clear a value on purpose.
    """

    def __init__(self, *args, workspace: Workspace, fields, contact=None, **kwargs) -> None:
        editable = [f for f in fields if not f.special]
        if contact is not None:
            kwargs.setdefault("initial", {f.key: contact.value(f.key) for f in editable})
        super().__init__(*args, **kwargs)
        self.workspace, self.contact = workspace, contact
        self.catalogue = {f.key: f for f in editable}
        for f in editable:
            # On an edit, the page carries the values it showed: `changed_data` is then
            # what the user changed, not what changed in the database since.
            self.fields[f.key] = CatalogueField(f, show_hidden_initial=contact is not None)
            if f.type == FieldType.MULTI_CHOICE:
                self.fields[f.key].hidden_widget = forms.MultipleHiddenInput
        self.fields["email"].required = True
        self.fields["email"].error_messages["required"] = CONTACT_EMAIL_REQUIRED
        self._keep_retired_choices()

    def _keep_retired_choices(self) -> None:
        """Show a stored value that is no longer a choice, rather than silently dropping it."""
        for key, field in self.catalogue.items():
            value = self.initial.get(key)
            if field.type == FieldType.CHOICE and value and value not in field.choices:
                widget = self.fields[key].widget
                retired = _("%(value)s (no longer a choice)") % {"value": value}
                widget.choices = [*widget.choices, (value, retired)]

    def clean(self) -> dict:
        raw = super().clean()
        values, errors = clean_values(self.catalogue, raw)
        for key, message in errors.items():
            self.add_error(key, message)
        email = values.get("email")
        exclude = self.contact.pk if self.contact else None
        if email and contact_email_taken(self.workspace, email, exclude_pk=exclude):
            self.add_error("email", email_taken_message(email))
        return values


def email_taken_message(email: str) -> str:
    return _(
        "Another contact already has the email %(email)s (emails are unique, whatever "
        "their case). Search for it and edit that contact instead."
    ) % {"email": email}


class PublicForm(forms.Form):
    """What a visitor sees: the form's fields, email first; `form_submit` judges the answers."""

    def __init__(self, *args, plezi_form: Form, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        fields = sorted(plezi_form.fields.all(), key=lambda f: (f.key != "email", f.position))
        for f in fields:
            self.fields[f.key] = CatalogueField(f, public=True)
        if "email" in self.fields:
            self.fields["email"].required = True
            self.fields["email"].error_messages["required"] = PUBLIC_EMAIL_REQUIRED

    def add_service_errors(self, errors: dict[str, list[str]]) -> None:
        for key, messages in errors.items():
            for message in messages:
                self.add_error(key if key in self.fields else None, message)


class ContactFilterForm(forms.Form):
    """The contact list's search box and filters (a GET form)."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    lead_source = forms.ChoiceField(label=_("Lead source"), required=False)
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("Any"))] + [(s, s) for s in STATES]
    )
    opt_out = forms.ChoiceField(
        label=_("Email opt-out"),
        required=False,
        choices=[("", _("Any")), ("yes", _("Opted out")), ("no", _("Not opted out"))],
    )

    def __init__(self, *args, lead_sources: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead_source"].choices = [("", _("Any"))] + [(s, s) for s in lead_sources]

    def search(self) -> tuple[str, dict]:
        """The query and the exact filters, for `contacts_search`; invalid filters are dropped."""
        if not self.is_valid():
            return "", {}
        data = self.cleaned_data
        opt_out = {"yes": True, "no": False}.get(data["opt_out"])
        filters = {"lead_source": data["lead_source"], "state": data["state"]}
        return data["q"].strip(), {**filters, "email_opt_out": opt_out}


class FieldCreateForm(forms.Form):
    """A new custom field. Key and type are fixed for good once it exists."""

    key = forms.CharField(
        label=_("Key"),
        max_length=50,
        validators=[field_key_validator],
        help_text=_("Its column name in CSV files, e.g. industry. It cannot be changed later."),
    )
    label = forms.CharField(
        label=_("Label"), max_length=100, help_text=_("What people see, e.g. Industry.")
    )
    type = forms.ChoiceField(
        label=_("Type"), choices=FieldType.CHOICES, help_text=_("It cannot be changed later.")
    )
    choices = forms.CharField(
        label=_("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Drop-down and multiple choice only: one choice per line, spelled exactly "
            "as in Zoho CRM (Zoho refuses values its list does not have)."
        ),
    )

    def __init__(self, *args, workspace: Workspace, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.workspace = workspace

    def clean_key(self) -> str:
        key = self.cleaned_data["key"]
        existing = Field.objects.for_workspace(self.workspace).filter(key=key).first()
        if existing:
            raise forms.ValidationError(
                _("The key “%(key)s” is already used by the field “%(label)s”: pick another.")
                % {"key": key, "label": existing.label}
            )
        return key

    def clean(self) -> dict:
        data = super().clean()
        if "type" in data:
            self._clean_choices(data, data["type"])
        return data

    def _clean_choices(self, data: dict, type_: str) -> None:
        try:
            data["choices"] = parse_choices(data.get("choices", ""), type_)
        except forms.ValidationError as error:
            self.add_error("choices", error)


class FieldEditForm(forms.Form):
    """A field's label, and its choices when it has any (not for computed fields)."""

    label = forms.CharField(label=_("Label"), max_length=100)
    choices = forms.CharField(
        label=_("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "One choice per line, spelled exactly as in Zoho CRM. Contacts keep a "
            "removed choice until they are edited."
        ),
    )

    def __init__(self, *args, field: Field, **kwargs) -> None:
        kwargs.setdefault("initial", {"label": field.label, "choices": "\n".join(field.choices)})
        super().__init__(*args, **kwargs)
        self.field = field
        if field.type not in CHOICE_TYPES or field.special:
            del self.fields["choices"]

    def clean_choices(self) -> list[str]:
        return parse_choices(self.cleaned_data["choices"], self.field.type)


def parse_choices(text: str, type_: str) -> list[str]:
    """One choice per line; refused where CSV files or exact matching would trip on it."""
    choices = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if type_ not in CHOICE_TYPES:
        if choices:
            raise forms.ValidationError(
                _(
                    "Only drop-down and multiple-choice fields have choices: clear this box "
                    "or pick one of those types."
                )
            )
        return []
    if not choices:
        raise forms.ValidationError(_("List at least one choice, one per line."))
    seen = set()
    for choice in choices:
        if ";" in choice:
            raise forms.ValidationError(
                _("“%(choice)s”: a choice cannot contain “;” (it separates choices in CSV files).")
                % {"choice": choice}
            )
        if len(choice) > MAX_CHOICE_LENGTH:
            raise forms.ValidationError(
                _("“%(choice)s…”: a choice has at most %(limit)s characters.")
                % {"choice": choice[:20], "limit": MAX_CHOICE_LENGTH}
            )
        if choice.casefold() in seen:
            raise forms.ValidationError(
                _("“%(choice)s” is listed twice: keep it once.") % {"choice": choice}
            )
        seen.add(choice.casefold())
    return choices


class FormSettingsForm(forms.Form):
    """A public form's name, the fields it asks for, and its thank-you message."""

    name = forms.CharField(label=_("Name"), max_length=100)
    asked_fields = forms.ModelMultipleChoiceField(
        queryset=Field.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Fields asked"),
        help_text=_(
            "Email is always asked: it identifies the contact. Computed fields "
            "(behaviour score, state) cannot be asked."
        ),
    )
    thank_you_message = forms.CharField(
        label=_("Thank you message"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        initial=_(THANK_YOU_DEFAULT),
        help_text=_("Shown to the visitor after sending the form."),
    )

    def __init__(self, *args, workspace: Workspace, plezi_form: Form | None = None, **kwargs):
        if plezi_form is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": plezi_form.name,
                    "asked_fields": list(plezi_form.fields.all()),
                    "thank_you_message": plezi_form.thank_you_message,
                },
            )
        super().__init__(*args, **kwargs)
        self.fields["asked_fields"].queryset = (
            Field.objects.for_workspace(workspace).filter(special=False).exclude(key="email")
        )


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "UTF-8, comma-separated, with a first line of field keys: "
            "email,first_name,last_name,company,… Contacts are matched by email."
        ),
    )

    def clean_file(self):
        file = self.cleaned_data["file"]
        if file.size > IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _(
                    "The file is larger than %(size)s MB: "
                    "split it into smaller files and import them one after the other."
                )
                % {"size": IMPORT_MAX_BYTES // (1024 * 1024)}
            )
        return file
