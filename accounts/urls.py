from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views
from accounts.forms import EmailLoginForm

team = "w/<slug:workspace_slug>/team"

urlpatterns = [
    path("", views.home, name="home"),
    path("workspaces/", views.workspace_list, name="workspace_list"),
    path("accounts/login/", auth_views.LoginView.as_view(form_class=EmailLoginForm), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(f"{team}/", views.team, name="team"),
    path(f"{team}/members/<int:pk>/role/", views.membership_role, name="membership_role"),
    path(
        f"{team}/members/<int:pk>/remove/",
        views.membership_remove_view,
        name="membership_remove",
    ),
    path(
        f"{team}/invitations/<int:pk>/withdraw/",
        views.invitation_withdraw_view,
        name="invitation_withdraw",
    ),
    path("invitations/<slug:token>/", views.invitation_accept_view, name="invitation_accept"),
]
