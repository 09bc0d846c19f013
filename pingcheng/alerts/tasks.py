from celery import shared_task

from pingcheng.alerts import services
from pingcheng.notices import bulk  # noqa: F401 — registers the batch delivery task with the worker


@shared_task(name="pingcheng.alerts.tasks.alert_fanout")
def alert_fanout_task(fanout_id: int) -> bool:
    """One chunk, then the next one queued: each task is short, and a lost link is picked up by the sweep."""
    more = services.alert_fanout_step(fanout_id=fanout_id)
    if more:
        services._queue_step(fanout_id)
    return more


@shared_task(name="pingcheng.alerts.tasks.alerts_sweep")
def alerts_sweep() -> int:
    return services.alerts_sweep()
