from django.urls import include, path, re_path

from leads.api.views.health import HealthView
from leads.web import web_app

urlpatterns = [
    path("healthz", HealthView.as_view(), name="healthz"),
    path("api/", include("leads.api.urls")),
    # Every other page address belongs to the web app's client-side router. /static/ and
    # /assets/ are WhiteNoise's: a file it does not have is a plain 404, not the app.
    re_path(r"^(?!(?:api|static|assets|healthz)(?:/|$))", web_app, name="web-app"),
]
