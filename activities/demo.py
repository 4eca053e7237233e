"""Invented activity records and yearly status texts for the demo, so that the
dashboard and the LBF and municipality reports have something to show.

Called by `manage.py demo_data` after the demo targets and logins exist. Every
number is derived from indexes, so each run makes the same records. Safe to run
again: in each activity's open years the demo records (note "Demo") are deleted
and made anew, and the status texts are updated in place; a year that is
approved and locked keeps its records and its text as they are, as it would for
anyone (that is what approving is for).
"""

import datetime

from django.utils import timezone

from boligsocial.models import HousingDepartment, User

from .models import (
    Activity,
    ActivityRecord,
    FocusArea,
    IndicatorValue,
    PlanPeriod,
    Target,
    YearStatus,
    locked_years,
)

DEMO_NOTE = "Demo"
# A record every other week per activity this year and last year; every fourth
# week in the years before, so the demo stays about the same size (a thousand
# records or so) whichever year of the plan it is loaded in.
EVERY = datetime.timedelta(days=14)

# Who takes part, by a word in the activity's name: weights of the age bands
# (0–12, 13–17, 18–29, 30–64, 65+) and of the genders (women, men, other).
AGE_PROFILES = {
    "forælderrollen": (0, 0, 2, 8, 0),
    "Ungerådgivning": (0, 9, 1, 0, 0),
    "Fritidsjob": (0, 8, 2, 0, 0),
    "trivsels-": (4, 4, 0, 2, 0),
    "Bydelsløftere": (0, 0, 3, 7, 0),
    "mentorforløb": (0, 0, 4, 6, 0),
    "Beskæftigelsesrådgivning": (0, 0, 3, 7, 0),
    "beskæftigelsesindsats": (0, 1, 6, 3, 0),
}
GENDER_PROFILES = {"for kvinder": (1, 0, 0), "for mænd": (0, 1, 0)}
EVERYONE = ((2, 2, 2, 3, 1), (11, 9, 1))

Status = YearStatus.Status
COMMUNITY = FocusArea.Theme.COMMUNITY
# The status texts the demo writes, by activity: for the plan's first and second
# year, and this year's draft (some activities only), whatever year it is now.
# The other years before this one get a short text; they are all approved.
FIRST, SECOND, THIS_YEAR = 0, 1, "this year"
NARRATIVES = {
    "Rådgivning i forælderrollen": {
        FIRST: "Rådgiverne fik forløbene i gang i alle syv områder. De fleste forældre "
        "kom via skolerne og sundhedsplejen, og samtalerne handlede især om "
        "fremmøde, lektier og skærmtid.",
        SECOND: "Flere forældre henvendte sig selv eller på opfordring fra andre "
        "forældre. Faste samtaletider i beboerhusene og et tættere samarbejde med "
        "skolernes trivselsmedarbejdere gjorde rådgivningen lettere at finde.",
        THIS_YEAR: "Forløbene fortsætter i alle områder. I efteråret er der afprøvet "
        "forældregrupper med tolk.",
    },
    "Ungerådgivning": {
        FIRST: "Ungerådgiverne fik kontakt til de unge gennem skolerne og klubberne. "
        "Forløbene drejede sig mest om fravær, konflikter derhjemme og valg af "
        "ungdomsuddannelse.",
        SECOND: "Flere unge blev fastholdt i deres ungdomsuddannelse efter en svær "
        "start. Rådgiverne deltog også i skolernes forældremøder i 8. og 9. klasse.",
    },
    "Bydelsløftere for kvinder": {
        FIRST: "To hold kvinder gennemførte kurset om rettigheder, skolegang og "
        "foreningsliv. Flere deltagere har siden fortalt om det i deres egne "
        "netværk.",
        SECOND: "Tre hold gennemførte forløbet, heraf ét i Vollsmose med børnepasning "
        "under undervisningen. Tidligere deltagere hjalp til som frivillige.",
        THIS_YEAR: "Årets to hold er gennemført; et nyt hold begynder i januar.",
    },
    "Bydelsløftere for mænd": {
        FIRST: "Det første hold mænd tog fat på faderrollen, sundhed og børns liv på "
        "nettet. Deltagerne bad selv om et opfølgende møde efter forløbet.",
        SECOND: "To hold gennemførte forløbet. Deltagerne planlagde en fars dag i "
        "beboerhuset og mødte de lokale SSP-medarbejdere.",
    },
    "Fremskudt kommunal trivsels- og forebyggelsesindsats": {
        FIRST: "De kommunale medarbejdere fik fast kontortid lokalt og kom med i "
        "områdernes netværksmøder. Mange henvendelser kom fra forældre, som ikke "
        "før havde haft kontakt med kommunen.",
        SECOND: "Indsatsen blev mere synlig i skolernes frikvarterer og i klubberne "
        "om eftermiddagen. Samarbejdet med sundhedsplejen gav flere tidlige "
        "henvendelser fra småbørnsfamilier.",
    },
    "Uddannelses- og beskæftigelsesmentorforløb for aktivitetsparate": {
        FIRST: "Mentorerne begyndte forløb med beboere langt fra arbejdsmarkedet. "
        "Målene blev aftalt med den enkeltes jobrådgiver, ofte først "
        "danskundervisning eller en praktik.",
        SECOND: "Flere deltagere kom i praktik, og enkelte fik job med løntilskud. "
        "Forløbene blev længere end ventet, fordi mange også havde helbredet at "
        "tage hensyn til.",
        THIS_YEAR: "Mentorforløbene fortsætter med samme bemanding. Teksten gøres "
        "færdig, når årets sidste tal er registreret.",
    },
    "Uddannelses- og beskæftigelsesmentorforløb for jobparate": {
        FIRST: "Forløbene handlede om CV, jobsamtaler og kontakt til virksomheder i "
        "lokalområdet. En del deltagere fandt selv job undervejs.",
        SECOND: "Et samarbejde med byggerierne i området gav flere ordinære job og to "
        "lærepladser. Mentorerne fulgte deltagerne i de første måneder i jobbet.",
    },
    "Beskæftigelsesrådgivning": {
        FIRST: "Rådgivningen hjalp med konkrete forhindringer som kørekort, "
        "børnepasning og breve fra jobcentret. De fleste forløb varede få uger.",
        SECOND: "Den åbne rådgivning i beboerhusene blev godt brugt, og flere beboere "
        "blev sendt videre til et længere mentorforløb.",
    },
    "Fremskudt kommunal uddannelses- og beskæftigelsesindsats": {
        FIRST: "Kommunens uddannelsesrådgivere holdt åben rådgivning lokalt to gange "
        "om ugen og opsøgte unge uden job eller uddannelse.",
        SECOND: "Rådgiverne mødte flere unge i klubberne, og en del af dem begyndte på "
        "den forberedende grunduddannelse.",
    },
    "Fritidsjobrådgivning": {
        FIRST: "Unge fik hjælp til ansøgninger og jobsamtaler, i grupper og hver for "
        "sig. Lokale butikker og idrætsklubber tog imod unge i deres første "
        "fritidsjob.",
        SECOND: "Flere virksomheder kom med, og der blev holdt jobcaféer op til "
        "sommerferien. De unge fortæller, at jobbet har givet dem lyst til at "
        "tage en uddannelse.",
        THIS_YEAR: "Sommerens jobcafé var den bedst besøgte hidtil, og flere unge har "
        "fået fritidsjob i dagligvarehandlen.",
    },
    "Kriminalitetsforebyggelse i netværk": {
        FIRST: "Netværket mødtes fast med politi, SSP og kommune, og "
        "tryghedsrådgiveren fulgte op mellem møderne. Tryghedsvandringerne blev "
        "ugentlige i Korsløkkeparken.",
        SECOND: "Netværket fik et fælles billede af uroen i områderne og handlede "
        "hurtigere på konkrete hændelser. Flere beboere gik med på "
        "tryghedsvandringerne.",
    },
    "Medborgerskab og frivillighed": {
        FIRST: "Nye fællesskaber kom til, blandt andet strikkeklub, lektiecafé og "
        "pigefodbold. Ungefællesskabet i Vollsmose fik sine egne lokaler.",
        SECOND: "Flere beboere blev frivillige, og en række aktiviteter drives nu af "
        "beboerne selv. Samarbejdet med foreninger i resten af Odense gav dem nye "
        "medlemmer.",
        THIS_YEAR: "Ungefællesskabet i Vollsmose har valgt en bestyrelse af unge, som "
        "selv planlægger næste års aktiviteter.",
    },
    "Fælles om bæredygtighed": {
        FIRST: "Byhaverne blev anlagt sammen med beboerne, og der blev holdt "
        "reparationscaféer og byttedage.",
        SECOND: "Byhaverne blev udvidet, og beboerne står nu selv for de fleste "
        "aktiviteter, blandt andet en fælles høstfest.",
    },
    "Boligsocial beredskabsplan": {
        FIRST: "Planen fik nye kontaktlister, og samarbejdspartnerne blev orienteret "
        "om, hvornår og hvordan den sættes i gang.",
        SECOND: "Planen blev brugt ved flere lokale hændelser, hvor partnere og "
        "beboere fik den samme besked hurtigt. Evalueringerne gav små rettelser til "
        "kontaktlisterne.",
    },
}


def current_activities() -> list[Activity]:
    plan = PlanPeriod.objects.current()
    if plan is None:
        return []
    return list(
        Activity.objects.filter(focus_area__plan_period=plan)
        .in_plan_order()
        .prefetch_related("areas", "indicators")
    )


def load_activity_records(staff: User) -> int:
    """A record every other week per activity of the current plan (every fourth
    before last year), from the plan's start to today, taking turns between its
    areas. Returns the demo records."""
    activities = current_activities()
    locked = locked_years([a.pk for a in activities])
    today = timezone.localdate()
    departments: dict[int, list[HousingDepartment]] = {}
    for department in HousingDepartment.objects.filter(is_demo=True).order_by("pk"):
        departments.setdefault(department.area_id, []).append(department)
    records = []
    for n, activity in enumerate(activities):
        closed = {year for pk, year in locked if pk == activity.pk}
        demo = ActivityRecord.objects.filter(activity=activity, note=DEMO_NOTE)
        demo.exclude(date__year__in=closed).delete()
        areas = sorted(activity.areas.all(), key=lambda area: area.pk)
        day = activity.focus_area.plan_period.start + datetime.timedelta(days=n % 14)
        i = 0
        while areas and day <= today:
            if day.year not in closed:
                area = areas[(i + n) % len(areas)]
                in_area = departments.get(area.pk, [])
                department = in_area[i % len(in_area)] if in_area and i % 3 else None
                records.append(_record(activity, n, i, day, area, department, staff))
            day, i = day + _every(day.year, today.year), i + 1
    ActivityRecord.objects.bulk_create(records, batch_size=500)
    IndicatorValue.objects.bulk_create(_values(records), batch_size=500)
    return ActivityRecord.objects.filter(note=DEMO_NOTE).count()


def _record(activity, n, i, day, area, department, staff) -> ActivityRecord:
    participants = 3 + (i * 7 + n * 5) % 18
    starts = datetime.time(9 + n % 8, 30 * (i % 2))
    record = ActivityRecord(
        activity=activity,
        date=day,
        start_time=starts,
        end_time=starts.replace(hour=starts.hour + 2),
        area=area,
        department=department,
        participants=participants,
        volunteers=(i + n) % 4 if activity.focus_area.theme == COMMUNITY else i % 2,
        note=DEMO_NOTE,
        created_by=staff,
    )
    if i % 6 == 5:
        return record  # the breakdowns were not noted that day: all left at zero
    ages, genders = EVERYONE
    ages = next((w for k, w in AGE_PROFILES.items() if k in activity.name), ages)
    genders = next(
        (w for k, w in GENDER_PROFILES.items() if k in activity.name), genders
    )
    # The same shape each time, a little shifted from record to record.
    ages = [w + (i + k) % 3 if w else 0 for k, w in enumerate(ages)]
    (
        record.age_0_12,
        record.age_13_17,
        record.age_18_29,
        record.age_30_64,
        record.age_65_plus,
    ) = _split(participants, ages)
    record.women, record.men, record.gender_other = _split(participants, genders)
    record.participants_new = max(1, participants // (2 + i % 3))
    record.participants_returning = participants - record.participants_new
    return record


def _split(total: int, weights) -> list[int]:
    """The total in whole parts in proportion to the weights, adding up exactly."""
    parts = [total * weight // sum(weights) for weight in weights]
    parts[weights.index(max(weights))] += total - sum(parts)
    return parts


def _values(records: list[ActivityRecord]) -> list[IndicatorValue]:
    """Each record's share of the year's target for each of the activity's
    indicators, so that a year reaches roughly 80–125 % of its target."""
    targets = {
        (indicator, year): value
        for indicator, year, value in Target.objects.values_list(
            "indicator", "year", "value"
        )
    }
    values, seen = [], {}
    this_year = timezone.localdate().year
    for record in records:
        activity = record.activity  # with its indicators prefetched
        key = (activity.pk, record.date.year)
        k = seen[key] = seen.get(key, -1) + 1  # the record's number in its year
        for j, indicator in enumerate(activity.indicators.all()):
            target = targets.get((indicator.pk, record.date.year))
            year_total = (
                target * (80 + (activity.pk * 13 + j * 29) % 46) // 100
                if target
                else 20 + (activity.pk * 7 + j * 11) % 30
            )
            # Whole numbers whose running sum follows the year's total.
            a_year = round(365 / _every(record.date.year, this_year).days)
            value = _share(k + 1, year_total, a_year) - _share(k, year_total, a_year)
            values.append(
                IndicatorValue(record=record, indicator=indicator, value=value)
            )
    return values


def _share(records: int, year_total: int, a_year: int) -> int:
    return records * year_total // a_year


def _every(year: int, this_year: int) -> datetime.timedelta:
    return EVERY if year >= this_year - 1 else 2 * EVERY


def load_year_statuses(*, writer: User, approver: User) -> int:
    """The status texts of the current plan's years so far, written by the demo
    staff member: the years before this one approved by the demo coordinator
    (which locks them), this year's a draft where there is one. Returns the
    approved texts."""
    this_year = timezone.localdate().year
    for activity in current_activities():
        texts = _narratives(activity, this_year)
        for year in activity.focus_area.plan_period.years:
            past = year < this_year
            if year > this_year or not (past or year in texts):
                continue
            status = YearStatus.objects.filter(activity=activity, year=year).first()
            if status and status.is_locked:
                continue
            status, _ = YearStatus.objects.update_or_create(
                activity=activity,
                year=year,
                defaults={
                    "status": Status.ONGOING,
                    "narrative": texts.get(year)
                    or f"{activity.name} kørte som planlagt i {year}.",
                    "written_by": writer,
                },
            )
            if past:
                status.approve(by=approver)
    return YearStatus.objects.locked().count()


def _narratives(activity: Activity, this_year: int) -> dict[int, str]:
    """The activity's demo texts by year: the plan's first two, and this year's."""
    written = NARRATIVES.get(activity.name, {})
    first = activity.focus_area.plan_period.years[0]
    texts = {first + n: written[n] for n in (FIRST, SECOND) if n in written}
    if THIS_YEAR in written:
        texts[this_year] = written[THIS_YEAR]
    return texts
