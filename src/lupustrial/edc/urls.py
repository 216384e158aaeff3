"""URLs of the study's web application and its JSON API."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path

from lupustrial.edc.accounts.admin import study_admin
from lupustrial.edc.accounts.views import LoginView, PasswordChangeView
from lupustrial.edc.api.routes import api
from lupustrial.edc.deviations import views as deviation_views
from lupustrial.edc.monitoring import views as monitoring_views
from lupustrial.edc.pharmacy import views as pharmacy_views
from lupustrial.edc.safety import views as safety_views
from lupustrial.edc.study import ae_views, lab_import_views, overview_views, report_views, views

handler500 = "lupustrial.edc.errors.server_error"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", PasswordChangeView.as_view(), name="password_change"),
    path("language/", views.set_language, name="set_language"),
    path("subjects/new/", views.register, name="register"),
    path("sites/<str:code>/status/", overview_views.site_status, name="status_grid"),
    path("calendar/", overview_views.visit_calendar, name="visit_calendar"),
    path("subjects/<int:pk>/", views.subject_page, name="subject"),
    path("subjects/<int:pk>/screening/", views.screening, name="screening"),
    path("subjects/<int:pk>/screen-failure/", views.screen_failure, name="screen_failure"),
    path("subjects/<int:pk>/consent/", views.consent, name="consent"),
    path(
        "subjects/<int:pk>/consent/withdraw/",
        views.consent_withdrawal,
        name="consent_withdrawal",
    ),
    path("subjects/<int:pk>/enrol/", views.enrol, name="enrol"),
    path("subjects/<int:pk>/sign/", views.sign_again, name="sign_again"),
    path("subjects/<int:pk>/visits/new/", views.unscheduled_visit, name="unscheduled_visit"),
    path("subjects/<int:pk>/end/<str:how>/", views.end_of_study, name="end_of_study"),
    path(
        "subjects/<int:pk>/adverse-events/new/",
        ae_views.adverse_event_new,
        name="adverse_event_new",
    ),
    path("adverse-events/<int:pk>/", ae_views.adverse_event_page, name="adverse_event"),
    path(
        "adverse-events/<int:pk>/verify/",
        ae_views.adverse_event_verify,
        name="adverse_event_verify",
    ),
    path("subjects/<int:pk>/lock/", views.casebook_lock, name="casebook_lock"),
    path("subjects/<int:pk>/audit/", views.audit_trail, name="audit_trail"),
    path("subjects/<int:pk>/casebook.pdf", overview_views.casebook, name="casebook"),
    path("audit/export/", views.audit_export, name="audit_export"),
    path("report/", report_views.study_report, name="study_report"),
    path("dataset/snapshot.zip", report_views.dataset_snapshot, name="dataset_snapshot"),
    path("deviations/", deviation_views.deviation_list, name="deviations"),
    path("monitoring/", monitoring_views.monitoring, name="monitoring"),
    path("monitoring/visits/<int:pk>/", monitoring_views.visit_page, name="monitoring_visit"),
    path("pharmacy/", pharmacy_views.accountability, name="pharmacy"),
    path("pharmacy/receive/", pharmacy_views.receive, name="pharmacy_receive"),
    path("pharmacy/lots/<int:pk>/", pharmacy_views.lot_page, name="pharmacy_lot"),
    path("deviations/decide/", deviation_views.decide, name="deviation_decide"),
    path("deviations/<int:pk>/", deviation_views.deviation_page, name="deviation"),
    path("deviations/<int:pk>/close/", deviation_views.close, name="deviation_close"),
    path("subjects/<int:pk>/deviations/new/", deviation_views.record, name="deviation_new"),
    path("safety/", safety_views.safety_rules, name="safety_rules"),
    path("safety/ctcae/", safety_views.ctcae_lookup, name="ctcae_lookup"),
    path("safety/reports/", safety_views.safety_reports, name="safety_reports"),
    path("safety/events/<int:pk>/report/", safety_views.event_report, name="safety_event_report"),
    path(
        "safety/reports/<int:pk>/submission/",
        safety_views.report_submission,
        name="safety_report_submission",
    ),
    path(
        "safety/reports/<int:pk>/<str:what>/",
        safety_views.report_download,
        name="safety_report_download",
    ),
    path("report/report.css", report_views.report_css, name="report_css"),
    path("visits/<int:pk>/", views.visit_page, name="visit"),
    path("visits/<int:pk>/missed/", views.visit_missed, name="visit_missed"),
    path("visits/<int:pk>/forms/<str:code>/", views.crf_page, name="crf"),
    path("visits/<int:pk>/forms/labs/import/", lab_import_views.lab_import, name="lab_import"),
    path("visits/<int:pk>/forms/<str:code>/preview/", views.crf_preview, name="crf_preview"),
    path("visits/<int:pk>/forms/<str:code>/not-done/", views.crf_not_done, name="crf_not_done"),
    path("forms/<int:pk>/<str:action>/", views.form_action, name="form_action"),
    path("queries/<int:pk>/<str:action>/", views.query_action, name="query_action"),
    path("api/", api.urls),
    path("admin/", study_admin.urls),
]
