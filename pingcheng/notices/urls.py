from django.urls import path

from pingcheng.notices import views

app_name = "notices"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:notice_id>/read/", views.inbox_mark_read, name="inbox_mark_read"),
    path("read-all/", views.inbox_mark_all_read, name="inbox_mark_all_read"),
    path("preferences/", views.preferences, name="preferences"),
]
