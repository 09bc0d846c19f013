from django.urls import path

from campaigns import dashboard_views, field_views

app_name = "campaigns-field"

urlpatterns = [
    path("", field_views.home, name="home"),
    path("activities/new/", field_views.activity_new, name="activity_new"),
    path("activities/<int:pk>/", field_views.activity_detail, name="activity"),
    path("activities/<int:pk>/edit/", field_views.activity_edit, name="activity_edit"),
    path("activities/<int:pk>/steps/<slug:name>/", field_views.activity_step, name="activity_step"),
    path("activities/<int:pk>/findings/new/", field_views.finding_new, name="finding_new"),
    path("findings/<int:pk>/", field_views.finding_detail, name="finding"),
    path("findings/<int:pk>/steps/<slug:name>/", field_views.finding_step, name="finding_step"),
    path("ledger/", field_views.ledger, name="ledger"),
    path("ledger/<int:pk>/", field_views.ledger_download, name="ledger_download"),
    path("dashboard/", dashboard_views.dashboard, name="dashboard"),
    path("dashboard/campaigns/<int:pk>/", dashboard_views.dashboard_campaign, name="dashboard_campaign"),
]
