"""What the form fuzzing posts: for a form, what `from_form` makes of it, that with
one field hostile, or hostile values in every field; and a few fields the form
does not have.

Hostile values: control characters, NUL, right-to-left marks, digits that are not
ASCII, 10,000 characters, huge numbers and non-numbers ("1e309", "NaN"), dates at
the ends of the calendar or malformed, choices that are not offered, lists where
one value is expected, random bytes and broken images or sheets for files, and
fields left out.
"""

import datetime
import io

import openpyxl
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Model
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument, ResolutionFailed
from hypothesis.extra.django import from_field, from_form
from phonenumber_field.formfields import PhoneNumberField
from PIL import Image

from boligsocial import spreadsheets


class Long(str):
    """A very long text; shown by its length where Hypothesis prints a failing
    example, so the example stays readable."""

    def __repr__(self) -> str:
        return f"{self[:1]!r} * {len(self)}"


NASTY = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\x07\x1b[31m",
    "\u202e\u2066evil\u2069",
    "\u200f\u200e\u061c",
    "\ufeff",
    "\r\n\r\n",
    "\t",
    "'; DROP TABLE boligsocial_user; --",
    '"><script>alert(1)</script>',
    "{{7*7}}{% debug %}",
    "%s%n%(name)s{0}",
    "../../../etc/passwd",
    "\\",
    "²",
    "١٢",
    "１２",
    "Ⅻ",
    "½",
    "🙂" * 3,
    "Z̸̢͉a̵l̶g̵o̶",
    Long("9" * 5000),
]
NUMBERS = [
    "0",
    "-1",
    "-0",
    "1e309",
    "-1e309",
    "NaN",
    "nan",
    "inf",
    "-Infinity",
    "1e-400",
    "99999999999999999999999999",
    "-99999999999999999999999999",
    "9223372036854775808",
    "2147483648",
    "0x10",
    "1_000",
    "1,5",
    " 7 ",
    "007",
    "3.",
    ".5",
]
DATES = [
    "2026-02-30",
    "2026-13-01",
    "0000-00-00",
    "0001-01-01",
    "9999-12-31",
    "10000-01-01",
    "31.12.2026",
    "2026-5-4",
    "04/05/2026",
    "2026-05-04T25:61",
    "0001-01-01T00:00",
    "9999-12-31T23:59",
    "9999-12-31 23:59:59.999999",
    "2026-05-04T10:00:00+14:00",
    "24:00",
    "23:59:60",
    "-1:-1",
]


def _repeat(text: str, times: int) -> str:
    return Long(text * times)


any_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
nasty_text = st.one_of(
    st.sampled_from(NASTY),
    any_text,
    st.builds(
        _repeat, st.sampled_from(["a", "é", "🙂", "\u202e", "<>", " "]), st.just(10_001)
    ),
)
numbers_as_text = st.one_of(
    st.sampled_from(NUMBERS),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats().map(str),
)
dates_as_text = st.one_of(
    st.sampled_from(DATES),
    st.dates().map(str),
    st.datetimes().map(lambda d: d.isoformat(timespec="minutes")),
    st.times().map(str),
)


def _image(fmt: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 3), "red").save(out, fmt)
    return out.getvalue()


def _workbook(rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


SAMPLE_FILES = {
    "jpeg": _image("JPEG"),
    "png": _image("PNG"),
    "gif": _image("GIF"),
    "empty workbook": _workbook([]),
    "workbook of junk": _workbook([["Dato", "=1+1", None], [1e308, "\u202e", "²"]]),
    "truncated jpeg": _image("JPEG")[:40],
}


def sheet_headers() -> list[list[str]]:
    """The header rows of the two imports' templates, as staff fill them in."""
    from activities import imports as records
    from safety.nabohjaelp import imports as signups

    return [list(spreadsheets.danish(m.COLUMNS).values()) for m in (records, signups)]


# What a person may type in a cell, and what the imports look for.
CELL_WORDS = ["Rising", "Vollsmose", "11", "21", "Dørbank", "ja", "nej", "x", "=1+1"]
cells = st.one_of(
    st.none(),
    st.sampled_from(CELL_WORDS),
    st.text(
        st.characters(
            exclude_categories=("Cs",),
            # What an .xlsx file cannot hold (openpyxl refuses to write it).
            exclude_characters="".join(
                map(chr, [*range(0, 9), 11, 12, *range(14, 32)])
            ),
        ),
        max_size=30,
    ),
    st.integers(min_value=-(10**15), max_value=10**15),
    st.floats(allow_nan=False, allow_infinity=False),
    st.dates(min_value=datetime.date(1900, 1, 1)),
    st.datetimes(min_value=datetime.datetime(1900, 1, 1)),
    st.times(),
    st.booleans(),
)


def _sheet(headers: list[str], rows: list[list]) -> SimpleUploadedFile:
    return SimpleUploadedFile("ark.xlsx", _workbook([headers, *rows]))


# A sheet with an import's own headers, whose rows get as far as validation.
sheets = st.deferred(
    lambda: st.sampled_from(sheet_headers()).flatmap(
        lambda headers: st.builds(
            _sheet,
            st.just(headers),
            st.lists(
                st.lists(cells, min_size=len(headers), max_size=len(headers)),
                min_size=1,
                max_size=4,
            ),
        )
    )
)
files = st.one_of(
    sheets,
    st.builds(
        SimpleUploadedFile,
        st.sampled_from(
            ["a.xlsx", "a.jpg", "a.png", "a.XLSX", "../../a.xlsx", "a" * 300 + ".xlsx"]
        ),
        st.one_of(
            st.sampled_from(list(SAMPLE_FILES.values())), st.binary(max_size=512)
        ),
    ),
)


def choice_values(form_field: forms.Field) -> list:
    """The values a select or checkbox list of the field would post."""
    values = []
    for value, label in form_field.choices:
        if isinstance(label, (list, tuple)):  # an optgroup
            values += [inner for inner, _label in label]
        else:
            values.append(value)
    values = [getattr(v, "value", v) for v in values]
    return [v for v in values if v not in ("", None)] or [""]


def hostile(form_field: forms.Field) -> st.SearchStrategy:
    """Anything a person or a script could post in the field."""
    if isinstance(form_field, forms.FileField):
        return st.one_of(files, nasty_text)
    if isinstance(
        form_field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField
    ):
        one = st.one_of(st.sampled_from(choice_values(form_field)), nasty_text)
        return st.lists(one, max_size=4)
    if isinstance(form_field, forms.ChoiceField | forms.ModelChoiceField):
        valid = st.sampled_from(choice_values(form_field))
        return st.one_of(valid, nasty_text, numbers_as_text)
    if isinstance(
        form_field, forms.IntegerField | forms.DecimalField | forms.FloatField
    ):
        return st.one_of(numbers_as_text, nasty_text)
    if isinstance(
        form_field, forms.DateField | forms.DateTimeField | forms.TimeField
    ) or isinstance(getattr(form_field, "widget", None), forms.SplitDateTimeWidget):
        return st.one_of(dates_as_text, nasty_text)
    if isinstance(form_field, forms.BooleanField | forms.NullBooleanField):
        return st.one_of(st.sampled_from(["on", "true", "False", "0", ""]), nasty_text)
    return st.one_of(nasty_text, numbers_as_text, dates_as_text)


def well_formed(form_field: forms.Field) -> st.SearchStrategy | None:
    """A strategy from_form cannot infer for the field (None when it can)."""
    if isinstance(form_field, forms.ModelMultipleChoiceField):
        return st.lists(st.sampled_from(choice_values(form_field)), unique=True)
    if isinstance(form_field, forms.ModelChoiceField):
        return st.sampled_from(choice_values(form_field))
    if isinstance(form_field, PhoneNumberField):
        return st.sampled_from(["20 12 34 56", "+45 66 14 14 48", "12345678", ""])
    try:
        from_field(form_field)
    except (ResolutionFailed, InvalidArgument):
        return hostile(form_field)
    return None


def posted(value):
    """A value from_form made, as a browser would post it."""
    if value is None or value is False:
        return None
    if value is True:
        return "on"
    if isinstance(value, list | tuple):
        return [p for p in (posted(v) for v in value) if p is not None]
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, Model):
        return value.pk
    if hasattr(value, "read"):
        return value
    return str(value)


def form_fields(form: forms.BaseForm) -> dict[str, forms.Field]:
    """The form's fields by the names they are posted under."""
    fields = {}
    for name, form_field in form.fields.items():
        key = form.add_prefix(name)
        if isinstance(form_field, forms.MultiValueField):
            for i, part in enumerate(form_field.fields):
                fields[f"{key}_{i}"] = part
        elif not form_field.disabled:
            fields[key] = form_field
    return fields


def from_the_form(form_class, kwargs: dict) -> st.SearchStrategy[dict]:
    """from_form's forms, as the data a browser would post."""
    unbound = form_class(**kwargs)
    overrides = {
        name: strategy
        for name, form_field in unbound.fields.items()
        if not form_field.disabled
        and not isinstance(form_field, forms.MultiValueField)
        and (strategy := well_formed(form_field)) is not None
    }

    def as_post(form) -> dict:
        values = {**form.data, **form.files}
        data = {form.add_prefix(k): posted(v) for k, v in values.items()}
        return {k: v for k, v in data.items() if v is not None}

    return from_form(form_class, form_kwargs=kwargs, **overrides).map(as_post)


def hostile_data(fields: dict[str, forms.Field]) -> st.SearchStrategy[dict]:
    """Each field hostile, well-formed or left out; sometimes posted twice."""

    def one(form_field):
        value = st.one_of(hostile(form_field), st.sampled_from(NASTY))
        if isinstance(form_field, forms.MultipleChoiceField):
            return value
        return st.one_of(value, st.lists(value, min_size=2, max_size=3))

    return st.fixed_dictionaries({}, optional={k: one(f) for k, f in fields.items()})


extra_fields = st.dictionaries(
    st.one_of(
        st.sampled_from(["id", "pk", "created_by", "status", "version", "next"]),
        any_text,
    ),
    nasty_text,
    max_size=3,
)


def one_hostile_field(fields: dict[str, forms.Field]) -> st.SearchStrategy:
    """(name, value): one field, hostile."""
    if not fields:
        return st.nothing()
    names = st.sampled_from(sorted(fields))
    return names.flatmap(lambda name: st.tuples(st.just(name), hostile(fields[name])))


def post_data(forms_: list[tuple[type, dict]]) -> st.SearchStrategy[dict]:
    """What is posted to a view binding these forms (class, arguments): from_form's
    data, that data with one field hostile (which reaches the code after the
    other fields' checks), or hostile data; and a few fields no form has."""
    fields = {}
    for form_class, kwargs in forms_:
        fields.update(form_fields(form_class(**kwargs)))
    well = st.fixed_dictionaries({}) if not forms_ else from_the_form(*forms_[0])
    for form_class, kwargs in forms_[1:]:
        well = st.builds(
            lambda a, b: {**a, **b}, well, from_the_form(form_class, kwargs)
        )
    all_but_one = st.builds(
        lambda data, one: {**data, one[0]: one[1]}, well, one_hostile_field(fields)
    )
    return st.builds(
        lambda data, extra: {**extra, **data},
        st.one_of(well, all_but_one, hostile_data(fields)),
        extra_fields,
    )
