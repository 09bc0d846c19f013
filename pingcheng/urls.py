from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from articles import search_views
from articles import views as article_views
from pingcheng import views

admin.site.site_header = "平城新闻 · 后台"
admin.site.site_title = "平城新闻后台"
admin.site.index_title = "工作台"

urlpatterns = [
    path("", article_views.front_page, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("news/", include("articles.urls")),
    path("epaper/", include("articles.epaper_urls")),
    path("search/", search_views.search, name="search"),
    path("", include("articles.feed_urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler400 = "pingcheng.views.bad_request"
handler403 = "pingcheng.views.permission_denied"
handler404 = "pingcheng.views.page_not_found"
handler500 = "pingcheng.views.server_error"
