"""Background work of Tryghedsvandringer: e-mails to the organisations that fix
findings when theirs are overdue. (A finding routed to them reaches them through
the portal's notifications, boligsocial/notices.py.)"""

from celery import shared_task

from . import notifications


@shared_task(name="safety.tasks.send_overdue_reminders")
def send_overdue_reminders() -> int:
    return notifications.mail_overdue()
