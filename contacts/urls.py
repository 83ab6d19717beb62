from django.urls import path

from contacts import views

app_name = "contacts"

workspace = "w/<slug:workspace_slug>"

urlpatterns = [
    path(f"{workspace}/contacts/", views.contact_list, name="list"),
    path(f"{workspace}/contacts/new/", views.contact_create, name="create"),
    path(f"{workspace}/contacts/import/", views.contact_import, name="import"),
    path(f"{workspace}/contacts/imports/<int:pk>/", views.import_detail, name="import_detail"),
    path(f"{workspace}/contacts/export/", views.contact_export, name="export"),
    path(f"{workspace}/contacts/<int:pk>/", views.contact_detail, name="detail"),
    path(f"{workspace}/contacts/<int:pk>/edit/", views.contact_edit, name="edit"),
    path(f"{workspace}/contacts/<int:pk>/delete/", views.contact_delete_view, name="delete"),
    path(f"{workspace}/fields/", views.field_list, name="field_list"),
    path(f"{workspace}/fields/new/", views.field_create_view, name="field_create"),
    path(f"{workspace}/fields/<int:pk>/edit/", views.field_edit, name="field_edit"),
    path(f"{workspace}/forms/", views.form_list, name="form_list"),
    path(f"{workspace}/forms/new/", views.form_create, name="form_create"),
    path(f"{workspace}/forms/<int:pk>/edit/", views.form_edit, name="form_edit"),
    path(f"{workspace}/forms/<int:pk>/delete/", views.form_delete_view, name="form_delete"),
    path("f/<slug:token>/", views.public_form, name="public_form"),
]
