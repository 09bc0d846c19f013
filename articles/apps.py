from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = _("新闻稿件")

    def ready(self) -> None:
        from articles.public_cache import news_changed
        from articles.signals import article_changed

        article_changed.connect(news_changed, dispatch_uid="articles.public_cache.news_changed")
