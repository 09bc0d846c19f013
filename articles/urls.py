from django.urls import path

from articles import views
from pingcheng.directory.models import NEWSROOM_ROLES
from pingcheng.photos.views import photo_upload_view, photo_words_view

app_name = "articles"

urlpatterns = [
    path("", views.article_list, name="list"),
    path("<int:pk>/", views.article_detail, name="detail"),
    path("preview/<int:pk>/", views.article_preview, name="preview"),
    path("section/<slug:slug>/", views.section_detail, name="section"),
    path("series/<slug:slug>/", views.series_detail, name="series"),
    path("contributors/<int:pk>/", views.contributor_detail, name="contributor"),
    path("units/<slug:code>/", views.unit_detail, name="unit"),
    path("tags/<path:tag>/", views.tag_detail, name="tag"),
    path("archive/", views.archive_index, name="archive"),
    path("archive/<int:year>/<int:month>/<int:day>/", views.archive_day, name="archive_day"),
    path("corrections/", views.correction_list, name="corrections"),
    # CKEditor uploads into article bodies: the newsroom's roles only.
    path("photos/upload/", photo_upload_view(roles=NEWSROOM_ROLES, rate_group="articles:photo_upload"), name="photo_upload"),
    # The caption, photographer and alt text of a picture, asked for right after the upload.
    path("photos/words/", photo_words_view(roles=NEWSROOM_ROLES), name="photo_words"),
]
