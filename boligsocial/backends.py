from django.contrib.auth.backends import ModelBackend, UserModel
from django.db.models import Count, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce


class PortalBackend(ModelBackend):
    """Django's backend, loading the person's organisation and the bell's count of
    unread notifications with them.

    Every page names the organisation in the header and shows the bell; loading
    both with the person saves two queries a page.
    """

    def get_user(self, user_id):
        from .models import Notification

        unread = (
            Notification.objects.filter(user=OuterRef("pk"), read_at__isnull=True)
            .values("user")
            .annotate(n=Count("pk"))
            .values("n")
        )
        manager = UserModel._default_manager.select_related("organisation").annotate(
            unread_notifications=Coalesce(Subquery(unread), Value(0))
        )
        user = manager.filter(pk=user_id).first()
        return user if user and self.user_can_authenticate(user) else None
