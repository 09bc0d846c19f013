from django.urls import path

from grievances import public_views as views

app_name = "grievances"

urlpatterns = [
    path("", views.landing, name="index"),
    path("new/", views.inquiry_new, name="new"),
    path("new/confirm/", views.inquiry_confirm, name="confirm"),
    path("new/done/", views.inquiry_done, name="done"),
    path("track/", views.track, name="track"),
    path("track/<slug:token>/", views.track_detail, name="track_detail"),
    path("track/<slug:token>/my-data/", views.my_data, name="my_data"),
    path("answers/", views.answers, name="answers"),
    path("answers/search/", views.answers_search, name="answers_search"),
    path("answers/topics/<int:pk>/", views.answers_by_topic, name="answers_topic"),
    path("answers/units/<slug:code>/", views.answers_by_unit, name="answers_unit"),
    path("answers/<int:pk>/", views.answer_detail, name="answer"),
    path("faq/", views.faq, name="faq"),
]
