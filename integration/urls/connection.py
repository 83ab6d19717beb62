from django.urls import path

from integration.views import connection as views

app_name = "integration"

workspace = "w/<slug:workspace_slug>"

urlpatterns = [
    path(f"{workspace}/zoho/", views.connection, name="connection"),
    path(f"{workspace}/zoho/limits/", views.limits, name="limits"),
    path(f"{workspace}/zoho/test/", views.test_connection, name="test_connection"),
    path(f"{workspace}/zoho/refresh-fields/", views.refresh_fields, name="refresh_fields"),
    path(f"{workspace}/zoho/disconnect/", views.disconnect, name="disconnect"),
]
