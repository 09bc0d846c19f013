"""System checks for delivery settings that would otherwise fail quietly in production.

A worker holds a notice for NOTICE_SEND_LEASE_SECONDS while it sends. If a channel may take longer than
that (a hung SMTP server up to EMAIL_TIMEOUT, an SMS gateway up to its backend's ``timeout``), the sweep
decides the worker died, hands the notice to another worker and the person gets it twice. The lease must be
comfortably longer than the slowest channel: at least ``LEASE_MARGIN`` times its timeout, which leaves room
for a render, a DNS lookup and a connect before the timeout starts counting.
"""

from django.conf import settings
from django.core import checks
from django.utils.module_loading import import_string

LEASE_MARGIN = 3


@checks.register()
def check_send_lease(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    messages = []
    lease = settings.NOTICE_SEND_LEASE_SECONDS
    timeouts = {}
    if settings.EMAIL_TIMEOUT is None:
        messages.append(checks.Error(
            "EMAIL_TIMEOUT is not set, so an e-mail send can outlast any NOTICE_SEND_LEASE_SECONDS and be sent "
            "twice.",
            hint="Set EMAIL_TIMEOUT to a number of seconds (the default is 10).",
            id="notices.E003",
        ))  # fmt: skip
    else:
        timeouts["EMAIL_TIMEOUT"] = settings.EMAIL_TIMEOUT
    sms_backend = import_string(settings.SMS_BACKEND)
    sms_timeout = getattr(sms_backend, "timeout", None)
    if isinstance(sms_timeout, int | float) and sms_timeout > 0:
        timeouts[f"{settings.SMS_BACKEND}.timeout"] = sms_timeout
    else:
        messages.append(checks.Warning(
            f"The SMS backend {settings.SMS_BACKEND} declares no timeout, so NOTICE_SEND_LEASE_SECONDS cannot "
            "be checked against it.",
            hint="Subclass pingcheng.notices.sms.SmsBackend and set `timeout` to the seconds its send may take.",
            id="notices.W001",
        ))  # fmt: skip
    for name, timeout in timeouts.items():
        if lease < LEASE_MARGIN * timeout:
            messages.append(checks.Error(
                f"NOTICE_SEND_LEASE_SECONDS ({lease}) is not comfortably longer than {name} ({timeout}): a send "
                "still under way would be handed to a second worker and sent twice.",
                hint=f"Make NOTICE_SEND_LEASE_SECONDS at least {LEASE_MARGIN} × {timeout} seconds.",
                id="notices.E002",
            ))  # fmt: skip
    return messages
