from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = _("新闻稿件")

    def ready(self) -> None:
        from articles.cache import NEWS, news_last_modified, news_pages_retire
        from articles.signals import article_changed
        from pingcheng.page_cache import page_product_register

        page_product_register(NEWS, last_modified=news_last_modified)
        article_changed.connect(news_pages_retire, dispatch_uid="articles.cache.news_pages_retire")
