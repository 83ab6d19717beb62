from django.urls import path

from integration.views import sync as views

app_name = "sync"

prefix = "w/<slug:workspace_slug>/sync/"
urlpatterns = [
    path(prefix, views.history, name="history"),
    path(prefix + "current/", views.current_run, name="current"),
    path(prefix + "live/", views.live, name="live"),
    path(prefix + "now/", views.sync_now, name="now"),
    path(prefix + "resync/", views.resync, name="resync"),
    path(prefix + "preview/", views.preview, name="preview"),
    path(prefix + "runs/<int:pk>/", views.run_detail, name="run"),
    path(prefix + "runs/<int:pk>/progress/", views.run_progress, name="run_progress"),
    path(prefix + "runs/<int:pk>/retry/", views.retry_failed, name="retry"),
    path(prefix + "contacts/<int:pk>/", views.contact_panel, name="contact_panel"),
]
