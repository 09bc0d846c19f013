from django.urls import path

from articles import views

app_name = "epaper"

urlpatterns = [
    path("", views.epaper_index, name="index"),
    path("date/", views.epaper_lookup, name="lookup"),
    path("<str:edition_date>/", views.epaper_edition, name="edition"),
    path("<str:edition_date>/<int:page_number>/", views.epaper_edition, name="page"),
]
