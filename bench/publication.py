"""Background sweeps: publishing due articles and delivering due notices, per item."""

import time
from datetime import timedelta

from django.utils import timezone


def run() -> None:
    from articles.models import Article
    from articles.services import articles_publish_due
    from pingcheng.notices.models import Notice
    from pingcheng.notices.services import notices_sweep

    count = 200
    now = timezone.now()
    Article.objects.bulk_create(
        Article(headline=f"定时稿件{i}", status=Article.Status.SCHEDULED, publish_at=now - timedelta(seconds=i))
        for i in range(count)
    )
    started = time.perf_counter()
    published = articles_publish_due()
    elapsed = (time.perf_counter() - started) * 1000
    print(f"articles_publish_due: {published} articles in {elapsed:.0f} ms ({elapsed / max(published, 1):.2f} ms each)")
    again = time.perf_counter()
    articles_publish_due()
    print(f"second run (nothing due): {(time.perf_counter() - again) * 1000:.1f} ms")

    Notice.objects.bulk_create(
        Notice(key=f"bench:{i}", channel=Notice.Channel.SMS, recipient="13800138000", template="generic",
               context={"body": "稿件已发布"})  # fmt: skip
        for i in range(count)
    )
    started = time.perf_counter()
    sent = notices_sweep()
    elapsed = (time.perf_counter() - started) * 1000
    print(f"notices_sweep: {sent} notices in {elapsed:.0f} ms ({elapsed / max(sent, 1):.2f} ms each)")
