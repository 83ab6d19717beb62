from django.urls import path

from mapping import views

app_name = "mapping"

urlpatterns = [
    path("w/<slug:workspace_slug>/mapping/", views.mapping_index, name="index"),
    path("w/<slug:workspace_slug>/mapping/<slug:module>/", views.mapping_edit, name="edit"),
]
