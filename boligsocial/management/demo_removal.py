"""Removing the demo data before go-live (`manage.py remove_demo_data`).

The demo rows are found by their marks (`marked_demo_rows`): `is_demo` where the
model has it, and otherwise what `demo_data` writes and nothing else does (the
demo logins' `…@demo.boligsocialthus.invalid` addresses, the note "Demo" of
activity records and walks, the invented households' names). From them the plan
follows the database's own relations, as Django's delete would:

- a row that goes with a demo row (CASCADE) goes too, if its model has no mark of
  its own: an incident's timeline, a case's meetings, a login's notifications;
- a row that would go with a demo row, or that stops one going (PROTECT), and is
  not demo itself is real data depending on the demo data: the removal refuses
  and changes nothing (a real user in a demo organisation, a real sign-up in a
  demo department, a real organisation's partner list naming a demo one);
- a row that only loses its link (SET_NULL, such as who registered a real sign-up
  when a demo login did) stays, and the plan says how many.

A demo login that a log keeps naming is not deleted but made harmless
(`KEPT_BY_LOGS`): the access log of advice cases may not be deleted for 1830 days
(a database trigger), and the record of changes to people is only ever added to.
"""

import operator
from collections import defaultdict
from dataclasses import dataclass, field
from functools import reduce

from django.db import models, transaction
from django.db.models.deletion import get_candidate_relations_to_delete
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from activities.demo import DEMO_NOTE
from activities.models import ActivityRecord, Target, YearStatus
from advice.demo import NAMES as DEMO_HOUSEHOLDS
from advice.models import CaseAccess, DropIn, EvictionReport, Household
from boligsocial.models import HousingDepartment, Organisation, PersonChange, User
from reports.models import UnitValue
from safety.beredskab.models import Contact, Incident, NetworkMeeting
from safety.models import (
    Finding,
    ResidentReport,
    SignUp,
    SignUpTarget,
    Walk,
    WalkTarget,
)

from ..checks import DEMO_EMAIL_DOMAIN
from .commands.demo_data import DEMO_WALK_NOTE, USERS

# (model, field to User): logs whose entries stay, so the demo login they name stays.
KEPT_BY_LOGS = [(CaseAccess, "user"), (PersonChange, "person"), (PersonChange, "by")]


def demo_logins() -> models.QuerySet:
    """The logins demo_data makes: its usernames with its made-up addresses."""
    either = (
        models.Q(username=username, email=f"{username}@{DEMO_EMAIL_DOMAIN}")
        for username, *_ in USERS
    )
    return User.objects.filter(reduce(operator.or_, either))


def marked_demo_rows(logins: models.QuerySet) -> list[models.QuerySet]:
    """Each kind of demo row, by its mark. A model named here has a mark: a row of
    it without the mark is real."""
    demo_walks = Walk.objects.filter(notes=DEMO_WALK_NOTE)
    return [
        Organisation.objects.filter(is_demo=True),
        HousingDepartment.objects.filter(is_demo=True),
        logins,
        Target.objects.filter(is_demo=True),
        ActivityRecord.objects.filter(note=DEMO_NOTE, created_by__in=logins),
        YearStatus.objects.filter(written_by__in=logins),
        SignUp.objects.filter(is_demo=True),
        SignUpTarget.objects.filter(is_demo=True),
        WalkTarget.objects.filter(is_demo=True),
        demo_walks,
        Finding.objects.filter(walk__in=demo_walks),
        ResidentReport.objects.filter(is_demo=True),
        DropIn.objects.filter(is_demo=True),
        EvictionReport.objects.filter(is_demo=True),
        Household.objects.filter(department__is_demo=True, name__in=DEMO_HOUSEHOLDS),
        Contact.objects.filter(is_demo=True),
        Incident.objects.filter(is_demo=True),
        NetworkMeeting.objects.filter(is_demo=True),
        UnitValue.objects.filter(is_demo=True),
    ]


@dataclass
class Dependency:
    """Real rows of `model` that would go with, or stop, the demo rows of
    `target` they point at through `field`."""

    model: type[models.Model]
    field: str
    target: type[models.Model]
    count: int
    examples: list[models.Model]
    targets: list[models.Model]

    def __str__(self) -> str:
        shown = ", ".join(_describe(row) for row in self.examples)
        more = (
            f" and {self.count - len(self.examples)} more"
            if self.count > len(self.examples)
            else ""
        )
        pointed = ", ".join(_describe(row) for row in self.targets)
        return (
            f"{self.count} real {self.model._meta.label} ({shown}{more}) "
            f"through {self.field} -> demo {self.target._meta.label}: {pointed}"
        )


@dataclass
class Plan:
    doomed: dict[type[models.Model], set[int]] = field(
        default_factory=lambda: defaultdict(set)
    )
    dependencies: list[Dependency] = field(default_factory=list)
    # (model, field) → how many rows that stay lose their link to demo data.
    unlinked: dict[tuple[str, str], int] = field(default_factory=dict)
    kept_logins: list[User] = field(default_factory=list)

    def counts(self) -> list[tuple[str, int, list[str]]]:
        """(model, how many rows, the names of demo organisations and logins)."""
        return sorted(
            (model._meta.label, len(pks), self._names(model, pks))
            for model, pks in self.doomed.items()
            if pks
        )

    @staticmethod
    def _names(model, pks) -> list[str]:
        if model not in (Organisation, User):
            return []
        return [_describe(row) for row in model._base_manager.filter(pk__in=pks)]


def plan_removal() -> Plan:
    """What removing the demo data would delete, keep, unlink, or refuse for."""
    plan = Plan()
    logins = demo_logins()
    kept = _kept_logins(logins)
    plan.kept_logins = list(User.objects.filter(pk__in=kept).order_by("username"))
    marked: set[type[models.Model]] = set()
    for rows in marked_demo_rows(logins):
        marked.add(rows.model)
        plan.doomed[rows.model] |= set(rows.values_list("pk", flat=True))
    # What is part of a kept login goes too (its notifications, exports, report
    # schedules, authenticator apps): only the login itself stays.
    _close_over_parts(plan, marked)
    plan.doomed[User] -= kept
    _find_dependencies(plan, kept)
    return plan


def _kept_logins(logins: models.QuerySet) -> set[int]:
    kept = set()
    for model, name in KEPT_BY_LOGS:
        named = model._base_manager.filter(**{f"{name}__in": logins})
        kept |= set(named.values_list(name, flat=True))
    return kept


def _relations(model: type[models.Model]):
    """The foreign keys (and one-to-ones) of other models pointing at `model`,
    hidden ones and many-to-many tables included."""
    return get_candidate_relations_to_delete(model._meta)


def _pointing(relation, pks) -> models.QuerySet:
    related = relation.related_model
    return related._base_manager.filter(**{f"{relation.field.name}__in": pks})


def _close_over_parts(plan: Plan, marked: set) -> None:
    """Add every row that is part of a doomed row: a CASCADE child of a model with
    no mark of its own, and a many-to-many link of a doomed row's own field."""
    queue = [(model, set(pks)) for model, pks in plan.doomed.items()]
    while queue:
        model, pks = queue.pop()
        for relation in _relations(model):
            related = relation.related_model
            if related in marked or not _is_part(relation, model):
                continue
            new = set(_pointing(relation, pks).values_list("pk", flat=True))
            new -= plan.doomed[related]
            if new:
                plan.doomed[related] |= new
                queue.append((related, new))


def _is_part(relation, model) -> bool:
    through_of = relation.related_model._meta.auto_created
    if through_of:  # a many-to-many table: part of the side whose field it is
        return model is through_of
    return relation.field.remote_field.on_delete is models.CASCADE


def _find_dependencies(plan: Plan, kept: set[int]) -> None:
    for model, pks in list(plan.doomed.items()):
        for relation in _relations(model):
            related = relation.related_model
            rows = _pointing(relation, pks).exclude(pk__in=plan.doomed[related])
            if related is User:
                rows = rows.exclude(pk__in=kept)
            on_delete = relation.field.remote_field.on_delete
            if on_delete is models.DO_NOTHING or not rows.exists():
                continue
            label = (related._meta.label, relation.field.name)
            if on_delete in (models.SET_NULL, models.SET_DEFAULT):
                plan.unlinked[label] = rows.count()
            elif related._meta.auto_created:
                _add_link_dependency(plan, relation, rows)
            else:
                _add_dependency(plan, model, relation.field.name, rows)


def _add_dependency(plan, target, name, rows) -> None:
    pointed = target._base_manager.filter(pk__in=rows.values(name))
    plan.dependencies.append(
        Dependency(
            model=rows.model,
            field=name,
            target=target,
            count=rows.count(),
            examples=list(rows.order_by("pk")[:5]),
            targets=list(pointed.order_by("pk")[:5]),
        )
    )


def _add_link_dependency(plan, relation, rows) -> None:
    """A real row's many-to-many field naming a demo row (a real meeting's
    organisations): the real row is the one depending on it."""
    through = relation.related_model
    owner = through._meta.auto_created
    owner_link = next(
        f.name
        for f in through._meta.fields
        if f.is_relation and f.related_model is owner and f is not relation.field
    )
    name = next(
        f.name for f in owner._meta.many_to_many if f.remote_field.through is through
    )
    owners = owner._base_manager.filter(pk__in=rows.values(owner_link))
    target = relation.field.related_model
    pointed = target._base_manager.filter(pk__in=rows.values(relation.field.name))
    plan.dependencies.append(
        Dependency(
            model=owner,
            field=name,
            target=target,
            count=owners.count(),
            examples=list(owners.order_by("pk")[:5]),
            targets=list(pointed.order_by("pk")[:5]),
        )
    )


def _describe(row) -> str:
    """A row for the message: names where they are not a resident's (logins,
    organisations, departments), otherwise its number."""
    if isinstance(row, User):
        return row.username
    if isinstance(row, (Organisation, HousingDepartment)):
        return str(row)
    return f"#{row.pk}"


class RealDataDepends(Exception):
    def __init__(self, plan: Plan):
        super().__init__("real data depends on the demo data")
        self.plan = plan


def remove_demo_data() -> Plan:
    """Delete the demo rows, the rows that point at others first, and make the
    kept demo logins harmless, in one transaction planned inside it; refuse
    (RealDataDepends), changing nothing, when real data depends on them."""
    with transaction.atomic():
        plan = plan_removal()
        if plan.dependencies:
            raise RealDataDepends(plan)
        files = _files(plan)
        for login in plan.kept_logins:
            _disarm(login, plan)
        for model in _deletion_order(plan):
            model._base_manager.filter(pk__in=plan.doomed[model]).delete()
        transaction.on_commit(lambda: _delete_files(files))
    return plan


def _disarm(login: User, plan: Plan) -> None:
    """A demo login a log names: it can never log in again (its password and key
    are published in the README) and leaves the demo organisation."""
    TOTPDevice.objects.filter(user=login).delete()
    StaticDevice.objects.filter(user=login).delete()
    login.set_unusable_password()
    login.is_active = False
    if login.organisation_id in plan.doomed[Organisation]:
        login.organisation = None
    login.save(update_fields=["password", "is_active", "organisation"])


def _deletion_order(plan: Plan) -> list[type[models.Model]]:
    """The doomed models, each after every doomed model pointing at it: a row
    another protects is deleted once that one has gone."""
    models_ = [model for model, pks in plan.doomed.items() if pks]
    pointing = {
        model: {
            relation.related_model
            for relation in _relations(model)
            if relation.related_model in models_ and relation.related_model is not model
        }
        for model in models_
    }
    order: list = []
    visiting: set = set()

    def visit(model) -> None:
        if model in order or model in visiting:
            return
        visiting.add(model)
        for other in pointing[model]:
            visit(other)
        visiting.discard(model)
        order.append(model)

    for model in models_:
        visit(model)
    return order


def _files(plan: Plan) -> list[tuple[object, str]]:
    """The stored files of the doomed rows (exports, report PDFs, photos)."""
    files = []
    for model, pks in plan.doomed.items():
        names = [f.name for f in model._meta.fields if isinstance(f, models.FileField)]
        for name in names:
            storage = model._meta.get_field(name).storage
            for value in model._base_manager.filter(pk__in=pks).values_list(
                name, flat=True
            ):
                if value:
                    files.append((storage, value))
    return files


def _delete_files(files) -> None:
    for storage, name in files:
        storage.delete(name)
