"""The inquiry desk's periodic sweeps (CELERY_BEAT_SCHEDULE). Each re-reads state and guards every
transition, so a sweep that runs twice, late, or at the same time as another writes each step once."""

from celery import shared_task

from grievances import services


@shared_task(name="grievances.tasks.inquiries_close_unrated")
def inquiries_close_unrated() -> int:
    return services.inquiries_close_unrated()


@shared_task(name="grievances.tasks.inquiries_remind_due")
def inquiries_remind_due() -> int:
    return services.inquiries_remind_due()


@shared_task(name="grievances.tasks.inquiries_escalate_overdue")
def inquiries_escalate_overdue() -> int:
    return services.inquiries_escalate_overdue()


@shared_task(name="grievances.tasks.inquiries_erase_expired")
def inquiries_erase_expired() -> int:
    return services.inquiries_erase_expired()


@shared_task(name="grievances.tasks.inquiry_notices_erase_addresses")
def inquiry_notices_erase_addresses() -> int:
    return services.inquiry_notices_erase_addresses()
