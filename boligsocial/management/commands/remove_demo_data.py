"""Remove every demo row before go-live, and nothing else (see demo_removal)."""

from django.core.management.base import BaseCommand, CommandError

from ..demo_removal import RealDataDepends, plan_removal, remove_demo_data


class Command(BaseCommand):
    help = (
        "Remove all demo data (and only demo data) before go-live, in one "
        "transaction. Refuses, changing nothing, when real data depends on it."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Print what would be removed, and what refuses it; change nothing.",
        )
        parser.add_argument(
            "--no-input",
            "--noinput",
            action="store_false",
            dest="interactive",
            help="Do not ask for confirmation.",
        )

    def handle(self, *args, dry_run: bool, interactive: bool, **options):
        plan = plan_removal()
        if plan.dependencies:
            raise CommandError(self._refusal(plan))
        self._describe(plan, "Would remove" if dry_run else "Removing")
        if dry_run:
            self.stdout.write("Dry run: nothing was changed.")
            return
        if not any(pks for pks in plan.doomed.values()) and not plan.kept_logins:
            self.stdout.write("There is no demo data.")
            return
        if interactive and input("Type 'yes' to remove the demo data: ") != "yes":
            raise CommandError("Nothing was removed.")
        try:
            remove_demo_data()
        except RealDataDepends as refused:  # added since the plan above
            raise CommandError(self._refusal(refused.plan)) from None
        self.stdout.write(self.style.SUCCESS("The demo data is removed."))

    def _refusal(self, plan) -> str:
        lines = [
            "Refusing: real data depends on the demo data. Nothing was changed.",
            "Move or delete these rows first (or mark them as demo if they are):",
        ]
        lines += [f"  - {dependency}" for dependency in plan.dependencies]
        return "\n".join(lines)

    def _describe(self, plan, verb: str) -> None:
        self.stdout.write(f"{verb}:")
        for label, count, names in plan.counts():
            named = f" ({', '.join(sorted(names))})" if names else ""
            self.stdout.write(f"  {label}: {count}{named}")
        for login in plan.kept_logins:
            self.stdout.write(
                f"  Kept, as a log names it: demo login {login.username} "
                "(deactivated, password unusable, authenticator apps removed)"
            )
        for (label, name), count in sorted(plan.unlinked.items()):
            self.stdout.write(
                f"  Kept, losing the link to demo data: {count} {label} ({name})"
            )
