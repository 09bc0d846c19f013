from django.urls import path

from grievances import desk_views, figures_views

app_name = "grievances-desk"

urlpatterns = [
    path("", desk_views.desk_list, name="list"),
    path("new/", desk_views.desk_new, name="new"),
    path("<int:pk>/", desk_views.desk_detail, name="detail"),
    path("<int:pk>/reveal/", desk_views.desk_reveal, name="reveal"),
    path("<int:pk>/photos/<uuid:photo>/", desk_views.desk_photo, name="photo"),
    path("<int:pk>/extension/", desk_views.desk_extension_decide, name="extension_decide"),
    path("<int:pk>/steps/<slug:name>/", desk_views.desk_step, name="step"),
    path("figures/", figures_views.desk_figures, name="figures"),
]
