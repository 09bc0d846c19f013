"""System checks for delivery settings that would otherwise fail quietly in production.

A worker holds a notice for NOTICE_SEND_LEASE_SECONDS while it sends. If a channel may take longer than
that (a hung SMTP server up to EMAIL_TIMEOUT, an SMS gateway up to its backend's ``timeout``), the sweep
decides the worker died, hands the notice to another worker and the person gets it twice. The lease must be
comfortably longer than the slowest channel: at least ``LEASE_MARGIN`` times its timeout, which leaves room
for a render, a DNS lookup and a connect before the timeout starts counting.

With ``check --deploy`` and DEBUG off, a development channel (console, in-memory or file e-mail and SMS
backends) is reported too: notices would be recorded as sent and reach nobody.
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


# Backends that deliver nothing to anyone: they print, keep in memory or write to a local file. Fine while
# developing; in production every notice would be recorded as sent and no resident or colleague would get it
# (and the console and file backends put full addresses and texts into logs and files).
DEVELOPMENT_EMAIL_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
    "pingcheng.notices.mail.MaskedLogEmailBackend",
}
DEVELOPMENT_SMS_BACKENDS = {
    "pingcheng.notices.sms.SmsBackend",
    "pingcheng.notices.sms.ConsoleSmsBackend",
    "pingcheng.notices.sms.FileSmsBackend",
    "pingcheng.notices.sms.LocmemSmsBackend",
}


@checks.register(checks.Tags.security, deploy=True)
def check_production_channels(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """``check --deploy`` with DEBUG off: e-mail and SMS must go through a real gateway."""
    if settings.DEBUG:
        return []
    messages = []
    if settings.EMAIL_BACKEND in DEVELOPMENT_EMAIL_BACKENDS:
        messages.append(checks.Warning(
            f"EMAIL_BACKEND is {settings.EMAIL_BACKEND} with DEBUG off: e-mail notices are not delivered to "
            "anyone, yet recorded as sent (邮件通知不会真正发出).",
            hint="Set EMAIL_HOST (and EMAIL_HOST_USER / EMAIL_HOST_PASSWORD) for SMTP, or EMAIL_BACKEND to a real "
                 "mail backend.",
            id="notices.W002",
        ))  # fmt: skip
    if settings.SMS_BACKEND in DEVELOPMENT_SMS_BACKENDS:
        messages.append(checks.Warning(
            f"SMS_BACKEND is {settings.SMS_BACKEND} with DEBUG off: text messages are not delivered to anyone, "
            "yet recorded as sent (短信通知不会真正发出).",
            hint="Set SMS_BACKEND to the SMS gateway's pingcheng.notices.sms.SmsBackend subclass.",
            id="notices.W003",
        ))  # fmt: skip
    return messages
