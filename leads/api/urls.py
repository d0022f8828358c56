from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from leads.domain.errors import NotFound

from .views.accounts import LoginView, LogoutView, MeView, UserCollectionView, UserDetailView
from .views.audit import AuditCollectionView
from .views.automation import RuleCollectionView, RuleDetailView, RuleRunsView
from .views.bulk import LeadBulkView
from .views.duplicates import LeadDuplicatesView, LeadMergeView
from .views.events import EventStreamView
from .views.exports import LeadExportView
from .views.imports import (
    ImportCollectionView,
    ImportDetailView,
    ImportErrorsView,
    ImportPreviewView,
    ImportRunView,
)
from .views.leads import LeadCollectionView, LeadDetailView, LeadSearchView
from .views.pipeline import (
    ActivityCollectionView,
    AssignView,
    KanbanMoveView,
    KanbanView,
    TaskActionView,
    TaskCollectionView,
    TransitionView,
    UndoView,
)
from .views.reports import (
    ActivityReportView,
    ForecastView,
    FunnelView,
    LostReasonsView,
    StageTimesView,
    WinRateView,
)
from .views.saved_views import ViewCollectionView, ViewDetailView
from .views.webhooks import (
    DeliveryCollectionView,
    DeliveryRedeliverView,
    WebhookCollectionView,
    WebhookDetailView,
    WebhookTestView,
)
from .views.workflow import ConfigView, StageCollectionView, StageDetailView, StageReorderView


class UnknownEndpoint(APIView):
    """Answers unknown /api/ paths in the API's error shape instead of Django's HTML page."""

    authentication_classes: list[type] = []
    permission_classes: list[type] = []
    schema = None

    def dispatch_unknown(self, request: Request, rest: str = "") -> Response:
        raise NotFound(f"No endpoint {request.path}.")

    get = post = put = patch = delete = dispatch_unknown


urlpatterns = [
    path("auth/login/", LoginView.as_view(), name="auth-login"),
    path("auth/logout/", LogoutView.as_view(), name="auth-logout"),
    path("auth/me/", MeView.as_view(), name="auth-me"),
    path("users/", UserCollectionView.as_view(), name="users"),
    path("users/<str:uid>/", UserDetailView.as_view(), name="user-detail"),
    path("audit/", AuditCollectionView.as_view(), name="audit"),
    path("config/", ConfigView.as_view(), name="config"),
    path("stages/", StageCollectionView.as_view(), name="stages"),
    path("stages/reorder/", StageReorderView.as_view(), name="stages-reorder"),
    path("stages/<str:uid>/", StageDetailView.as_view(), name="stage-detail"),
    path("leads/", LeadCollectionView.as_view(), name="leads"),
    path("leads/search/", LeadSearchView.as_view(), name="lead-search"),
    path("leads/kanban/", KanbanView.as_view(), name="kanban"),
    path("leads/kanban/move/", KanbanMoveView.as_view(), name="kanban-move"),
    path("leads/export/", LeadExportView.as_view(), name="leads-export"),
    path("leads/bulk/", LeadBulkView.as_view(), name="leads-bulk"),
    path("leads/<str:uid>/", LeadDetailView.as_view(), name="lead-detail"),
    path("leads/<str:uid>/transition/", TransitionView.as_view(), name="lead-transition"),
    path("leads/<str:uid>/assign/", AssignView.as_view(), name="lead-assign"),
    path("leads/<str:uid>/duplicates/", LeadDuplicatesView.as_view(), name="lead-duplicates"),
    path("leads/<str:uid>/merge/", LeadMergeView.as_view(), name="lead-merge"),
    path("leads/<str:uid>/undo/", UndoView.as_view(), name="lead-undo"),
    path("leads/<str:uid>/tasks/", TaskCollectionView.as_view(), name="lead-tasks"),
    path(
        "leads/<str:uid>/tasks/<str:task_uid>/complete/",
        TaskActionView.as_view(action="complete"),
        name="task-complete",
    ),
    path(
        "leads/<str:uid>/tasks/<str:task_uid>/reopen/",
        TaskActionView.as_view(action="reopen"),
        name="task-reopen",
    ),
    path(
        "leads/<str:uid>/tasks/<str:task_uid>/skip/",
        TaskActionView.as_view(action="skip"),
        name="task-skip",
    ),
    path("leads/<str:uid>/activities/", ActivityCollectionView.as_view(), name="lead-activities"),
    path("views/", ViewCollectionView.as_view(), name="views"),
    path("views/<str:uid>/", ViewDetailView.as_view(), name="view-detail"),
    path("events/", EventStreamView.as_view(), name="events"),
    path("imports/", ImportCollectionView.as_view(), name="imports"),
    path("imports/<str:uid>/", ImportDetailView.as_view(), name="import-detail"),
    path("imports/<str:uid>/preview/", ImportPreviewView.as_view(), name="import-preview"),
    path("imports/<str:uid>/run/", ImportRunView.as_view(), name="import-run"),
    path("imports/<str:uid>/errors.csv", ImportErrorsView.as_view(), name="import-errors"),
    path("reports/funnel/", FunnelView.as_view(), name="report-funnel"),
    path("reports/stage-times/", StageTimesView.as_view(), name="report-stage-times"),
    path("reports/win-rate/", WinRateView.as_view(), name="report-win-rate"),
    path("reports/forecast/", ForecastView.as_view(), name="report-forecast"),
    path("reports/lost-reasons/", LostReasonsView.as_view(), name="report-lost-reasons"),
    path("reports/activity/", ActivityReportView.as_view(), name="report-activity"),
    path("webhooks/", WebhookCollectionView.as_view(), name="webhooks"),
    path("webhooks/<str:uid>/", WebhookDetailView.as_view(), name="webhook-detail"),
    path("webhooks/<str:uid>/test/", WebhookTestView.as_view(), name="webhook-test"),
    path(
        "webhooks/<str:uid>/deliveries/",
        DeliveryCollectionView.as_view(),
        name="webhook-deliveries",
    ),
    path(
        "webhooks/<str:uid>/deliveries/<str:delivery_id>/redeliver/",
        DeliveryRedeliverView.as_view(),
        name="webhook-redeliver",
    ),
    path("automation/rules/", RuleCollectionView.as_view(), name="automation-rules"),
    path("automation/rules/<str:uid>/", RuleDetailView.as_view(), name="automation-rule"),
    path("automation/rules/<str:uid>/runs/", RuleRunsView.as_view(), name="automation-runs"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves the page's init script as a file: the CSP allows no inline script.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="schema", template_name="leads/swagger_ui.html"
        ),
        name="docs",
    ),
    re_path(r"^(?P<rest>.*)$", UnknownEndpoint.as_view()),
]
