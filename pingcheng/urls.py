from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from articles import search_views
from articles import views as article_views
from grievances import public_views as grievance_views
from pingcheng import display_mode, views

admin.site.site_header = "平城新闻 · 后台"
admin.site.site_title = "平城新闻后台"
admin.site.index_title = "工作台"

urlpatterns = [
    path("", article_views.front_page, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("admin/inbox/", include("pingcheng.notices.urls")),
    # Ahead of the admin's own login: a `next` that leads nowhere lands on the dashboard, not a 404.
    path("admin/login/", views.admin_login),
    path("admin/", admin.site.urls),
    # The field pages of campaign staff (grid workers, communities, streets): phone-sized, outside the admin.
    path("field/", include("campaigns.field_urls")),
    path("alerts/", include("pingcheng.alerts.urls")),
    # The inquiry desk of handlers and supervisors: phone-sized like the field pages, outside the admin.
    path("desk/", include("grievances.desk_urls")),
    path("news/", include("articles.urls")),
    path("epaper/", include("articles.epaper_urls")),
    path("search/", search_views.search, name="search"),
    path("display-mode/", display_mode.display_mode_switch, name="display-mode"),
    path("campaigns/", include("campaigns.urls")),
    path("inquiries/", include("grievances.urls")),
    path("subscribe/", include("pingcheng.notices.public_urls")),
    # The name the site shell and the front page link the desk by (reversed only: the include answers first).
    path("inquiries/", grievance_views.landing, name="inquiries-coming"),
    path("", include("articles.feed_urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler400 = "pingcheng.views.bad_request"
handler403 = "pingcheng.views.permission_denied"
handler404 = "pingcheng.views.page_not_found"
handler500 = "pingcheng.views.server_error"
