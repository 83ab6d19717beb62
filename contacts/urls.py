from django.urls import path

from contacts import views

app_name = "contacts"

urlpatterns = [
    path("w/<slug:workspace_slug>/contacts/", views.contact_list, name="list"),
    path("w/<slug:workspace_slug>/contacts/<int:pk>/", views.contact_detail, name="detail"),
    path("w/<slug:workspace_slug>/forms/", views.form_list, name="form_list"),
    path("w/<slug:workspace_slug>/fields/", views.field_list, name="field_list"),
    path("f/<str:token>/", views.public_form, name="public_form"),
]
