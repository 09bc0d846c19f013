import logging

from django.contrib.auth.models import AbstractBaseUser

from pingcheng.audit.models import PersonalDataExport

logger = logging.getLogger(__name__)


def personal_data_export_logged(*, user: AbstractBaseUser, what: str, count: int) -> PersonalDataExport:
    """Record that ``user`` exported ``count`` rows of residents' personal data described by ``what``.

    Every export of personal data calls this before it hands the file out, in the same transaction as any
    other write of the request. Side effects: a ``PersonalDataExport`` row (shown to the district
    administrator in the audit admin) and an INFO log line naming the staff member by username — never
    the data itself.
    """
    export = PersonalDataExport.objects.create(user=user, username=user.get_username(), what=what, count=count)
    logger.info("personal data export #%s by %s: %s, %d rows", export.pk, export.username, what, count)
    return export
