"""``manage.py search_reindex``: recompute ``Article.search_text`` for every article, in batches.

Run it after deploying a change to the segmentation (``pingcheng.chinese``) or the civic dictionary
(``pingcheng/civic_dict.txt``), after adding units to the directory, and once after migration 0003 for
articles saved before search existed. Idempotent: a second run finds nothing to change. It writes only ``search_text`` (no ``edited_at``/``version`` bump, no revision).
"""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Prefetch

from articles.models import Article, Credit
from articles.search import article_index
from pingcheng.chinese import dictionary_refresh


class Command(BaseCommand):
    help = "Recompute the search tokens of every article (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=200, help="articles read and written at a time")

    def handle(self, *args, batch_size: int = 200, **options):
        new_words = dictionary_refresh()
        articles = Article.objects.select_related("series").prefetch_related(
            Prefetch("credits", queryset=Credit.objects.select_related("contributor"))
        )
        seen = changed = 0
        last_pk = 0
        while True:
            # Keyset pagination: stable while articles are added during the run, and no growing OFFSET.
            batch = list(articles.filter(pk__gt=last_pk).order_by("pk")[:batch_size])
            if not batch:
                break
            last_pk = batch[-1].pk
            with transaction.atomic():
                for article in batch:
                    before = article.search_text
                    article_index(article)
                    if article.search_text == before:
                        continue
                    # A row saved since it was read keeps what that save wrote (saves re-index through
                    # article_prepare_body); overwriting it would put back tokens of the old text.
                    changed += Article.objects.filter(pk=article.pk, edited_at=article.edited_at).update(
                        search_text=article.search_text
                    )
            seen += len(batch)
        self.stdout.write(f"检索词已重建：共 {seen} 篇稿件，{changed} 篇有变化；载入单位名称 {new_words} 个。")
