"""``manage.py articles_render``: render and store every article's public HTML again (``articles.rendering``).

Run it after deploying a change to the templates the stored HTML comes from
(``templates/articles/includes/``: ``article_header.html``, ``article_main.html``, ``article_head.html``,
``article_card_head.html``; ``templates/includes/breadcrumbs.html``) or to ``SITE_NAME`` (the schema.org
data names the publisher), after moving the site under
another path (``FORCE_SCRIPT_NAME``: stored links carry it), and to repair the archive's day counts.
Idempotent; it writes only the rendered fields, the tag rows and the day counts (no revision, no version bump).
"""

from django.core.management.base import BaseCommand

from articles.models import Article
from articles.rendering import archive_days_rebuild, articles_render_store


class Command(BaseCommand):
    help = "Render every article's stored public HTML again and recount the archive (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=200, help="articles read and written at a time")

    def handle(self, *args, batch_size: int = 200, **options):
        stored = 0
        last_pk = 0
        while True:
            ids = list(Article.objects.filter(pk__gt=last_pk).order_by("pk").values_list("pk", flat=True)[:batch_size])
            if not ids:
                break
            stored += articles_render_store(ids, batch_size=batch_size)
            last_pk = ids[-1]
        archive_days_rebuild()
        self.stdout.write(f"已重新生成 {stored} 篇稿件的发布版页面。")
