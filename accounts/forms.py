from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, SetPasswordForm
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.emails import normalise_email
from accounts.models import Membership, Workspace
from accounts.selectors import account_of_email


class EmailLoginForm(AuthenticationForm):
    """People sign in with their email address (it is their username here)."""

    error_messages = {
        **AuthenticationForm.error_messages,
        # Django's says "username", which this page never shows.
        "invalid_login": gettext_lazy(
            "Please enter a correct email and password. Note that both fields may be "
            "case-sensitive."
        ),
    }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Email")
        self.fields["username"].widget.attrs.update(type="email", autocomplete="username")


class InvitationForm(forms.Form):
    # Checked by normalise_email, with its messages (EmailField would say less).
    email = forms.CharField(label=gettext_lazy("Email"), max_length=254, widget=forms.EmailInput)
    role = forms.ChoiceField(choices=Membership.Role.choices, initial=Membership.Role.MEMBER)

    def __init__(self, *args, workspace: Workspace, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.workspace = workspace

    def clean_email(self) -> str:
        email = normalise_email(self.cleaned_data["email"])
        account = account_of_email(email)
        team = Membership.objects.for_workspace(self.workspace)
        if account is not None and team.filter(user=account).exists():
            raise forms.ValidationError(
                _("%(email)s is already a member of %(workspace)s: change their role below.")
                % {"email": email, "workspace": self.workspace}
            )
        return email


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Membership.Role.choices)


class NewAccountForm(SetPasswordForm):
    """The password of the account an invitation creates, checked by Django's validators
    (against the address too: a password close to one's email is refused)."""

    def __init__(self, *args, email: str, **kwargs) -> None:
        super().__init__(get_user_model()(username=email, email=email), *args, **kwargs)
        self.fields["new_password1"].label = _("Choose a password")
        self.fields["new_password2"].label = _("The same password again")
