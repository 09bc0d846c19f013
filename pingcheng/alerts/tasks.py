import time

from celery import shared_task

from pingcheng.alerts import services
from pingcheng.notices import bulk  # noqa: F401 — registers the batch delivery task with the worker

# A fan-out task works through chunks for at most this long, then queues itself again: each chunk commits on its
# own and queues its deliveries at once, and no task comes near the broker's visibility timeout.
FANOUT_TASK_SECONDS = 60


@shared_task(name="pingcheng.alerts.tasks.alert_fanout")
def alert_fanout_task(fanout_id: int) -> bool:
    """Chunks one after another in this task (a chain of one task per chunk would wait behind the deliveries it
    queued); a lost continuation is picked up by the sweep."""
    deadline = time.monotonic() + FANOUT_TASK_SECONDS
    while services.alert_fanout_step(fanout_id=fanout_id):
        if time.monotonic() > deadline:
            services._queue_step(fanout_id)
            return True
    return False


@shared_task(name="pingcheng.alerts.tasks.alerts_sweep")
def alerts_sweep() -> int:
    return services.alerts_sweep()
