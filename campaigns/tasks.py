from celery import shared_task

from campaigns import services


@shared_task(name="campaigns.tasks.ledger_export_build", acks_late=True)
def ledger_export_build(export_id: int) -> bool:
    return services.ledger_export_build(export_id=export_id)


@shared_task(name="campaigns.tasks.ledger_exports_sweep")
def ledger_exports_sweep() -> int:
    return services.ledger_exports_sweep()


@shared_task(name="campaigns.tasks.findings_escalate_overdue")
def findings_escalate_overdue() -> int:
    return services.findings_escalate_overdue()


@shared_task(name="campaigns.tasks.campaign_notices_sweep")
def campaign_notices_sweep() -> int:
    from campaigns.notices import campaign_notices_sweep

    return campaign_notices_sweep()
