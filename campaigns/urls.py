from django.urls import path

from campaigns import ical, views

app_name = "campaigns"

urlpatterns = [
    path("", views.campaign_list, name="index"),
    path("calendar.ics", ical.district_calendar, name="calendar"),
    path("units/<slug:code>/", views.unit_campaigns, name="unit"),
    path("units/<slug:code>/calendar.ics", ical.unit_calendar, name="unit_calendar"),
    path("types/<slug:slug>/calendar.ics", ical.type_calendar, name="type_calendar"),
    path("<slug:slug>/", views.campaign_detail, name="detail"),
]
