"""The real housing organisations, departments and partners from a sheet: the
same upload, preview and confirmation as every import."""

from io import BytesIO

import openpyxl
import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from boligsocial.models import Area, HousingDepartment, ImportJob, Organisation, Role
from boligsocial.organisation_imports import (
    COLUMNS,
    ORGANISATION_IMPORT,
    SYNONYMS,
    street_lines,
)
from safety.nabohjaelp.forms import SignUpForm

HEADERS = [
    "Organisation",
    "Type",
    "Afdelingsnummer",
    "Afdeling",
    "Område",
    "Veje og husnumre",
    "Husstande",
    "Andre navne",
]
IMPORT = reverse("organisation_import")
CONFIRM = reverse("organisation_import_confirm")
CANCEL = reverse("organisation_import_cancel")
TEMPLATE = reverse("organisation_import_template")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def row(**cells) -> dict:
    """Department 7 of Fynbo on Rugårdsvej and Kløvermarken; cells override it."""
    return {
        "Organisation": "Fynbo",
        "Afdelingsnummer": 7,
        "Afdeling": "Rugårdsparken",
        "Område": "Rising",
        "Veje og husnumre": "Rugårdsvej 1-15; Kløvermarken 2, 4, 6",
        "Husstande": 120,
        **cells,
    }


def sheet(*rows: dict, headers=None) -> bytes:
    headers = headers or HEADERS
    workbook = openpyxl.Workbook()
    workbook.active.append(headers)
    for r in rows:
        workbook.active.append([r.get(header) for header in headers])
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(client, content: bytes):
    return client.post(
        IMPORT, {"file": SimpleUploadedFile("organisationer.xlsx", content)}
    )


def confirm(client):
    token = ImportJob.objects.waiting().get(sheet=ORGANISATION_IMPORT.url_name).token
    return client.post(CONFIRM, {"token": token})


def result_of(response, number: int):
    return next(r for r in response.context["results"] if r.number == number)


def errors_of(response, number: int) -> str:
    result = result_of(response, number)
    return " ".join(f"{label}: {message}" for label, message in result.errors)


def change_of(response, number: int) -> str:
    return result_of(response, number).shown[-1][0]


def test_a_coordinator_previews_then_imports_a_department_and_its_organisation(
    client, coordinator
):
    client.force_login(coordinator)
    response = upload(client, sheet(row()))
    assert response.status_code == 200
    assert change_of(response, 2) == "ny"
    assert not HousingDepartment.objects.exists()  # nothing saved by the preview
    response = confirm(client)
    assert response.status_code == 302
    assert response.url == reverse("area_list")
    department = HousingDepartment.objects.get()
    assert department.organisation.name == "Fynbo"
    assert department.organisation.kind == Organisation.Kind.HOUSING
    assert not department.organisation.is_demo and not department.is_demo
    assert (department.number, department.name) == ("7", "Rugårdsparken")
    assert department.area.slug == "rising"
    assert department.households == 120
    assert department.streets == "Rugårdsvej 1-15\nKløvermarken 2, 4, 6"
    assert department.street_list == ["Rugårdsvej", "Kløvermarken"]
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert "1 række er importeret." in messages


def test_the_same_sheet_imported_again_is_unchanged_and_a_changed_row_updates(
    client, coordinator
):
    client.force_login(coordinator)
    upload(client, sheet(row(), row(Afdelingsnummer=8, Afdeling="Kløverhaven")))
    confirm(client)
    response = upload(
        client,
        sheet(row(), row(Afdelingsnummer=8, Afdeling="Kløverhaven", Husstande=90)),
    )
    assert change_of(response, 2) == "uændret"
    assert change_of(response, 3) == "opdateres"
    confirm(client)
    assert HousingDepartment.objects.count() == 2
    assert Organisation.objects.filter(name="Fynbo").count() == 1
    assert HousingDepartment.objects.get(number="8").households == 90


def test_a_demo_department_named_by_a_sheet_becomes_real(client, coordinator):
    organisation = Organisation.objects.create(
        name="Fynbo", kind=Organisation.Kind.HOUSING, is_demo=True
    )
    HousingDepartment.objects.create(
        organisation=organisation,
        area=Area.objects.get(slug="rising"),
        number="7",
        name="Rugårdsparken",
        households=120,
        streets="Rugårdsvej 1-15\nKløvermarken 2, 4, 6",
        is_demo=True,
    )
    client.force_login(coordinator)
    response = upload(client, sheet(row(Organisation="fynbo")))
    assert change_of(response, 2) == "opdateres"
    confirm(client)
    department = HousingDepartment.objects.get()
    assert not department.is_demo and not department.organisation.is_demo
    assert department.organisation.name == "Fynbo"


def test_an_area_is_found_by_its_other_name(client, coordinator):
    client.force_login(coordinator)
    upload(client, sheet(row(Område="korsløkken")))
    confirm(client)
    assert HousingDepartment.objects.get().area.slug == "korslokkeparken"


def test_partner_organisations_are_rows_with_a_type_and_no_department(
    client, coordinator
):
    client.force_login(coordinator)
    partner = {"Organisation": "Bydelsmødrene Odense", "Type": "Civilsamfund"}
    known = {"Organisation": "Fyns Politi", "Type": "Politi"}
    response = upload(client, sheet(partner, known))
    assert change_of(response, 2) == "ny"
    assert change_of(response, 3) == "uændret"
    confirm(client)
    organisation = Organisation.objects.get(name="Bydelsmødrene Odense")
    assert organisation.kind == Organisation.Kind.CIVIL_SOCIETY
    assert Organisation.objects.filter(name="Fyns Politi").count() == 1


def test_rows_with_mistakes_are_refused_with_a_reason_by_their_column(
    client, coordinator
):
    client.force_login(coordinator)
    response = upload(
        client,
        sheet(
            row(Område="Atlantis"),
            row(Afdelingsnummer=9, Husstande="mange"),
            row(Afdelingsnummer=10, Afdeling=None),
            {"Organisation": "SSP Odense", "Type": "SSP", "Afdelingsnummer": 3},
            {"Organisation": "Fyns Politi", "Type": "Boligorganisation"},
            row(Afdelingsnummer=11, Type="Rumskib"),
            row(Afdelingsnummer=12, **{"Veje og husnumre": "Rugårdsvej 1/3"}),
            row(),
            row(),
        ),
    )
    assert "Område: Området Atlantis findes ikke." in errors_of(response, 2)
    assert "Husstande:" in errors_of(response, 3)
    assert "Afdeling: Skal udfyldes for en afdeling." in errors_of(response, 4)
    assert "Kun en boligorganisation har afdelinger" in errors_of(response, 5)
    assert "Fyns Politi findes allerede som Politi" in errors_of(response, 6)
    assert "Typen Rumskib kendes ikke" in errors_of(response, 7)
    assert "»Rugårdsvej 1/3« kan ikke læses" in errors_of(response, 8)
    assert errors_of(response, 9) == ""
    assert "Samme afdeling som række 9." in errors_of(response, 10)
    assert response.context["valid"] == 1
    confirm(client)
    assert HousingDepartment.objects.count() == 1
    assert not Organisation.objects.filter(name="Atlantis").exists()


def test_a_sheet_without_the_organisation_column_asks_for_it(client, coordinator):
    client.force_login(coordinator)
    response = upload(client, sheet(row(), headers=["Afdeling", "Husstande"]))
    form = response.context["columns_form"]
    assert "fill_organisation" in form.fields
    token = ImportJob.objects.waiting().get(sheet=ORGANISATION_IMPORT.url_name).token
    response = client.post(
        reverse("organisation_import_columns"),
        {"token": token, "column_0": "name", "column_1": "households"},
    )
    assert response.status_code == 400
    assert response.context["columns_form"].errors["fill_organisation"] == [
        "Vælg kolonnen med Organisation, eller skriv en værdi for alle rækker."
    ]
    assert not HousingDepartment.objects.exists()


def test_cancelling_saves_nothing(client, coordinator):
    client.force_login(coordinator)
    upload(client, sheet(row()))
    token = ImportJob.objects.waiting().get(sheet=ORGANISATION_IMPORT.url_name).token
    assert client.post(CANCEL, {"token": token}).status_code == 302
    assert not HousingDepartment.objects.exists()


def test_the_admin_role_imports_too(client, admin_user):
    client.force_login(admin_user)
    assert client.get(IMPORT).status_code == 200


@pytest.mark.parametrize(
    "role", [Role.STAFF, Role.ADVISOR, Role.SAFETY_ADVISOR, Role.PARTNER]
)
def test_other_roles_may_not_import(client, personas, role):
    client.force_login(personas[role])
    assert client.get(IMPORT).status_code == 403
    response = client.post(IMPORT, {"file": SimpleUploadedFile("a.xlsx", sheet(row()))})
    assert response.status_code == 403
    assert client.get(TEMPLATE).status_code == 403
    assert not HousingDepartment.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in(client):
    assert client.get(IMPORT).url.startswith(reverse("login"))


def test_the_import_page_takes_no_other_method(client, coordinator):
    client.force_login(coordinator)
    assert client.put(IMPORT).status_code == 405
    assert client.get(CONFIRM).status_code == 405


def test_the_area_list_links_a_coordinator_to_the_import(client, coordinator, staff):
    client.force_login(coordinator)
    assert IMPORT in client.get(reverse("area_list")).content.decode()
    client.force_login(staff)
    assert IMPORT not in client.get(reverse("area_list")).content.decode()


def test_the_template_holds_the_real_departments_and_partners_and_a_guide(
    client, coordinator, departments
):
    Organisation.objects.filter(name="Testboligselskabet").update(is_demo=False)
    HousingDepartment.objects.filter(number="11").update(streets="Rising Allé 1-9")
    client.force_login(coordinator)
    response = client.get(TEMPLATE)
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(BytesIO(response.content))
    assert workbook.sheetnames == ["Organisationer", "Områder", "Typer", "Vejledning"]
    rows = list(workbook["Organisationer"].values)
    assert list(rows[0]) == HEADERS
    assert (
        "Testboligselskabet",
        "Boligorganisation",
        "11",
        "Rising Øst",
        "Rising",
        "Rising Allé 1-9",
        300,
        None,
    ) in rows
    assert ("Fyns Politi", "Politi", *[None] * 6) in rows
    assert ("Korsløkkeparken", "Korsløkken") in list(workbook["Områder"].values)


def test_the_template_imported_again_changes_nothing(client, coordinator, departments):
    Organisation.objects.filter(name="Testboligselskabet").update(is_demo=False)
    client.force_login(coordinator)
    response = upload(client, client.get(TEMPLATE).content)
    assert response.context["invalid"] == 0
    assert {result.shown[-1][0] for result in response.context["results"]} == {
        "uændret"
    }


def test_streets_are_written_one_way_with_their_house_numbers():
    assert street_lines("Rugårdsvej 1 - 15;  kløvermarken 2,4 , 6b\nRising Allé") == [
        "Rugårdsvej 1-15",
        "kløvermarken 2, 4, 6B",
        "Rising Allé",
    ]


def test_a_sign_up_on_an_imported_street_finds_its_department(client, coordinator):
    client.force_login(coordinator)
    upload(client, sheet(row()))
    confirm(client)
    department = HousingDepartment.objects.get()
    assert department.has_street("kløvermarken")
    assert not department.has_street("Kløvermarken 2")
    form = SignUpForm(
        {
            "area": department.area.pk,
            "name": "Amira Hansen",
            "street": "Kløvermarken",
            "number": "4",
            "phone": "20 12 34 56",
            "channel": "door",
            "signed_up_on": "2026-03-02",
        },
    )
    form.is_valid()
    assert "street" not in form.errors
    assert form.cleaned_data["department"] == department


def test_every_column_has_synonyms_for_the_column_matching():
    assert set(SYNONYMS) == set(COLUMNS)
    assert "Afd.nr." in SYNONYMS["number"]
    assert "Lejemål" in SYNONYMS["households"]


def test_the_upload_page_costs_the_same_queries_every_time(
    client, coordinator, django_assert_num_queries
):
    client.force_login(coordinator)
    client.get(IMPORT)
    with django_assert_num_queries(7):
        response = client.get(IMPORT)
    assert reverse("organisation_import_template") in response.content.decode()


def test_an_organisations_sheet_holds_at_most_two_thousand_rows(client, coordinator):
    """Checked in one piece (a row may name an organisation an earlier row
    makes): a smaller limit than the other imports' 20,000."""
    client.force_login(coordinator)
    page = client.get(IMPORT)
    assert "2.000 rækker" in page.context["form"].fields["file"].help_text
    rows = [row(Afdelingsnummer=str(n)) for n in range(2001)]
    response = upload(client, sheet(*rows))
    assert response.context["form"].errors["file"] == [
        "Filen har mere end 2.000 rækker. Del den op i flere filer."
    ]
