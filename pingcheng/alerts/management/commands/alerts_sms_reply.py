"""Record an inbound SMS reply to a warning: ``manage.py alerts_sms_reply --phone 139… --text 123456``.

This is the hook for an SMS provider's inbound (上行) callback: the provider's webhook view, once one is
chosen, verifies the provider's signature and calls ``pingcheng.alerts.services.alert_acknowledge_by_reply``
with the sender's number and the text, exactly as this command does.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from pingcheng.alerts.services import alert_acknowledge_by_reply
from pingcheng.errors import DomainError
from pingcheng.notices.masking import mask_address


class Command(BaseCommand):
    help = "Record an SMS reply (the six-digit code) to a warning."

    def add_arguments(self, parser):
        parser.add_argument("--phone", required=True, help="the sender's mobile number")
        parser.add_argument("--text", required=True, help="the text of the reply")

    def handle(self, *args, phone: str, text: str, **options):
        try:
            recipient = alert_acknowledge_by_reply(phone=phone, text=text)
        except DomainError as error:
            raise CommandError(error.text) from None
        self.stdout.write(
            f"{mask_address(phone)}: {recipient.alert} acknowledged at "
            f"{timezone.localtime(recipient.acknowledged_at):%Y-%m-%d %H:%M}"
        )
