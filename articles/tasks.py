from celery import shared_task

from articles import services


@shared_task(name="articles.tasks.articles_publish_due")
def articles_publish_due() -> int:
    return services.articles_publish_due()


@shared_task(name="articles.tasks.articles_unpublish_due")
def articles_unpublish_due() -> int:
    return services.articles_unpublish_due()
