from django.urls import path

from pingcheng.alerts import views

app_name = "alerts"
urlpatterns = [
    path("", views.alert_list, name="list"),
    path("new/", views.alert_new, name="new"),
    path("<int:alert_id>/", views.alert_board, name="board"),
    path("<int:alert_id>/resend/", views.alert_resend, name="resend"),
    path("ack/<str:token>/", views.alert_ack, name="ack"),
]
