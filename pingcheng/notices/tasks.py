from celery import shared_task

from pingcheng.notices import services


@shared_task(name="pingcheng.notices.tasks.notice_deliver")
def notice_deliver_task(notice_id: int) -> bool:
    return services.notice_deliver(notice_id=notice_id)


@shared_task(name="pingcheng.notices.tasks.notices_sweep")
def notices_sweep() -> int:
    return services.notices_sweep()


@shared_task(name="pingcheng.notices.tasks.notices_erase_addresses")
def notices_erase_addresses() -> int:
    return services.notices_erase_addresses()
