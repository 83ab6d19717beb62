from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext as _


class EmailLoginForm(AuthenticationForm):
    """People sign in with their email address (it is their username here)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Email")
