from django.urls import path

from articles import upload

app_name = "articles"

urlpatterns = [
    path("photos/upload/", upload.photo_upload, name="photo_upload"),
]
