from django.contrib.auth.backends import ModelBackend, UserModel


class PortalBackend(ModelBackend):
    """Django's backend, loading the person's organisation with them.

    Every page names the organisation in the header; one join saves a query a page.
    """

    def get_user(self, user_id):
        manager = UserModel._default_manager.select_related("organisation")
        user = manager.filter(pk=user_id).first()
        return user if user and self.user_can_authenticate(user) else None
