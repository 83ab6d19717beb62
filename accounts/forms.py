from django.contrib.auth.forms import AuthenticationForm


class EmailLoginForm(AuthenticationForm):
    """People sign in with their email address (it is their username here)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "Email"
