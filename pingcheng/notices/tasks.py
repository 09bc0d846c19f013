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


@shared_task(name="pingcheng.notices.tasks.fanout_expand")
def fanout_expand_task(fanout_id: int) -> bool:
    from pingcheng.notices.audience import fanout_expand

    return fanout_expand(fanout_id=fanout_id)


@shared_task(name="pingcheng.notices.tasks.fanouts_sweep")
def fanouts_sweep() -> int:
    from pingcheng.notices.audience import fanouts_sweep

    return fanouts_sweep()


@shared_task(name="pingcheng.notices.tasks.digests_sweep")
def digests_sweep() -> int:
    from pingcheng.notices.audience import digests_sweep

    return digests_sweep()
