"""Background work of the advice app: the retention rules, run daily by Celery beat."""

from celery import shared_task
from django.utils import timezone

from .models import Case, CaseAccess


@shared_task
def anonymise_expired_cases() -> int:
    """Erase the personal data of cases closed longer ago than
    ADVICE_RETENTION_MONTHS; the number of cases anonymised. Then delete the
    access-log entries older than ACCESS_LOG_RETENTION, the only ones the access
    log lets go.

    Each case is anonymised in its own transaction (Case.anonymise): should one
    fail, those before it stay anonymised and the next run starts on the rest.
    """
    due = Case.objects.due_for_anonymising(timezone.localdate()).order_by("pk")
    count = 0
    for case in due.select_related("household"):
        case.anonymise()
        count += 1
    CaseAccess.objects.delete_expired()
    return count
