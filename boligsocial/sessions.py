"""Sessions in the database, as Django keeps them, except when the database cannot
be reached while a session is saved (SESSION_ENGINE).

Django saves the session after the view (on every request here: the idle timeout
slides), and takes any database error on updating it for a session deleted
meanwhile, by a logout in another tab: it answers 400 "session interrupted".
While PostgreSQL restarts that is wrong, and harmful: the view may have done its
work (a record saved), and the person is told their session was ended. Here the
database error goes on as it is, and becomes the 503 "try again" page, which says
to check whether the work was saved (boligsocial/outage.py).
"""

from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import UpdateError
from django.db import InterfaceError, OperationalError


class SessionStore(db.SessionStore):
    def save(self, must_create: bool = False) -> None:
        try:
            super().save(must_create=must_create)
        except UpdateError as error:
            # Django raises UpdateError while handling the database's error.
            if isinstance(error.__context__, (OperationalError, InterfaceError)):
                raise error.__context__ from None
            raise
