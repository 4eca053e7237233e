"""Onward referrals: proposed, consented, sent, answered, completed or withdrawn;
never sent without the resident's recorded consent."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse

from advice.models import CaseAccess, Referral

from .conftest import OPENED, make_case

pytestmark = pytest.mark.usefixtures("frozen_today")

S = Referral.Status
# frozen_today stops the clock at 10.00 UTC.
NOW = datetime.datetime(2026, 5, 4, 10, 0, tzinfo=datetime.UTC)
CONSENT = "Mundtligt i hjemmet 4.5."


def create_url(case) -> str:
    return reverse("advice:referral_create", args=[case.pk])


def move_url(referral) -> str:
    return reverse("advice:referral_move", args=[referral.case_id, referral.pk])


def referral_data(**extra) -> dict:
    data = {
        "to": Referral.To.DEBT_COUNSELLING,
        "recipient": "Gældsrådgivningen i Odense",
        "note": "Forbrugslån og inkasso",
    }
    data.update(extra)
    return data


def make_referral(case, *, status=S.PROPOSED, by=None) -> Referral:
    """A referral walked through the steps up to `status`."""
    referral = Referral.objects.create(
        case=case, to=Referral.To.MUNICIPALITY, recipient="Borgerservice"
    )
    path = {
        S.PROPOSED: [],
        S.CONSENTED: [S.CONSENTED],
        S.SENT: [S.CONSENTED, S.SENT],
        S.ACCEPTED: [S.CONSENTED, S.SENT, S.ACCEPTED],
        S.DECLINED: [S.CONSENTED, S.SENT, S.DECLINED],
        S.COMPLETED: [S.CONSENTED, S.SENT, S.ACCEPTED, S.COMPLETED],
        S.WITHDRAWN: [S.WITHDRAWN],
    }[status]
    for step in path:
        referral.move(to=step, by=by, consent_note=CONSENT)
    return referral


def actions(case) -> list[str]:
    return list(
        CaseAccess.objects.filter(case=case)
        .order_by("pk")
        .values_list("action", flat=True)
    )


# --- A new referral -------------------------------------------------------------------


def test_an_advisor_proposes_a_referral(client, advisor, case):
    client.force_login(advisor)
    assert client.get(create_url(case)).status_code == 200
    response = client.post(create_url(case), referral_data())
    assert response.status_code == 302
    assert response["Location"] == case.get_absolute_url()
    referral = Referral.objects.get()
    assert (referral.case, referral.status, referral.to) == (
        case,
        S.PROPOSED,
        "debt_counselling",
    )
    assert (referral.recipient, referral.note) == (
        "Gældsrådgivningen i Odense",
        "Forbrugslån og inkasso",
    )
    assert referral.changed_by == advisor
    assert referral.consented_at is None and referral.sent_at is None
    assert actions(case) == [CaseAccess.Action.VIEW, CaseAccess.Action.REFERRAL]


def test_a_forged_status_on_a_new_referral_is_ignored(client, advisor, case):
    client.force_login(advisor)
    client.post(create_url(case), referral_data(status="sent", sent_at="2026-05-01"))
    referral = Referral.objects.get()
    assert (referral.status, referral.sent_at) == (S.PROPOSED, None)


def test_a_referral_to_nowhere_known_is_refused_with_input_kept(client, advisor, case):
    client.force_login(advisor)
    response = client.post(create_url(case), referral_data(to="the_moon"))
    assert response.status_code == 400
    assert "to" in response.context["form"].errors
    assert "Forbrugslån og inkasso" in response.content.decode()
    assert not Referral.objects.exists()


def test_a_referral_note_with_a_cpr_number_is_warned_then_stored_when_confirmed(
    client, advisor, case
):
    note = "Se brev, cpr 010203-1234"
    client.force_login(advisor)
    response = client.post(create_url(case), referral_data(note=note))
    assert response.status_code == 400
    assert "CPR-nummer" in " ".join(response.context["form"].errors["note"])
    assert note in response.content.decode()
    assert not Referral.objects.exists()
    response = client.post(create_url(case), referral_data(note=note, confirm_cpr="on"))
    assert response.status_code == 302
    assert Referral.objects.get().note == note


def test_a_closed_case_takes_no_new_referral(client, advisor, case):
    case.status, case.closed_on = case.Status.CLOSED, datetime.date(2026, 4, 30)
    case.save(update_fields=["status", "closed_on"])
    client.force_login(advisor)
    assert "genåbn sagen først" in client.get(create_url(case)).content.decode()
    response = client.post(create_url(case), referral_data())
    assert response.status_code == 400
    assert not Referral.objects.exists()


# --- Steps ----------------------------------------------------------------------------


def test_a_referral_goes_from_proposed_to_completed_with_each_step_stamped(
    client, advisor, case
):
    referral = make_referral(case)
    client.force_login(advisor)
    response = client.post(
        move_url(referral), {"to": S.CONSENTED, "consent_note": CONSENT}
    )
    assert response.status_code == 302
    assert response["Location"] == case.get_absolute_url()
    for step in (S.SENT, S.ACCEPTED, S.COMPLETED):
        assert client.post(move_url(referral), {"to": step}).status_code == 302
    referral.refresh_from_db()
    assert referral.status == S.COMPLETED
    assert referral.consent_note == CONSENT
    assert referral.consented_at == referral.sent_at == NOW
    assert referral.answered_at == referral.completed_at == NOW
    assert referral.withdrawn_at is None
    assert referral.changed_by == advisor
    assert actions(case) == [CaseAccess.Action.REFERRAL] * 4


def test_a_sent_referral_may_be_declined(client, advisor, case):
    referral = make_referral(case, status=S.SENT)
    client.force_login(advisor)
    client.post(move_url(referral), {"to": S.DECLINED})
    referral.refresh_from_db()
    assert (referral.status, referral.answered_at) == (S.DECLINED, NOW)


@pytest.mark.parametrize("status", [S.PROPOSED, S.CONSENTED, S.SENT, S.ACCEPTED])
def test_a_referral_can_be_withdrawn_from_any_open_step(client, advisor, case, status):
    referral = make_referral(case, status=status)
    client.force_login(advisor)
    assert client.post(move_url(referral), {"to": S.WITHDRAWN}).status_code == 302
    referral.refresh_from_db()
    assert (referral.status, referral.withdrawn_at) == (S.WITHDRAWN, NOW)


def test_the_step_page_offers_only_the_steps_the_referral_can_take(
    client, advisor, case
):
    referral = make_referral(case, status=S.CONSENTED)
    client.force_login(advisor)
    response = client.get(move_url(referral))
    assert response.status_code == 200
    assert response.context["form"].fields["to"].widget.choices == [
        ("sent", "Sendt"),
        ("withdrawn", "Trukket tilbage"),
    ]
    assert CONSENT in response.content.decode()
    assert actions(case) == [CaseAccess.Action.VIEW]


def test_a_finished_referral_has_no_steps_left(client, advisor, case):
    referral = make_referral(case, status=S.DECLINED)
    client.force_login(advisor)
    html = client.get(move_url(referral)).content.decode()
    assert 'data-testid="referral-done"' in html
    assert client.post(move_url(referral), {"to": S.COMPLETED}).status_code == 400
    referral.refresh_from_db()
    assert referral.status == S.DECLINED


def test_a_referral_on_a_closed_case_still_takes_its_steps(client, advisor, case):
    referral = make_referral(case, status=S.SENT)
    case.status, case.closed_on = case.Status.CLOSED, datetime.date(2026, 5, 1)
    case.save(update_fields=["status", "closed_on"])
    client.force_login(advisor)
    assert client.post(move_url(referral), {"to": S.ACCEPTED}).status_code == 302


def test_a_referral_of_another_case_is_not_found_through_this_case(
    client, advisor, case
):
    referral = make_referral(make_case(case.household, advisors=[advisor]))
    client.force_login(advisor)
    url = reverse("advice:referral_move", args=[case.pk, referral.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"to": S.WITHDRAWN}).status_code == 404


# --- Refused steps --------------------------------------------------------------------


def test_no_referral_is_sent_without_consent(client, advisor, case):
    referral = make_referral(case)
    client.force_login(advisor)
    response = client.post(move_url(referral), {"to": S.SENT, "consent_note": ""})
    assert response.status_code == 400
    assert "Ingen henvisning sendes uden samtykke" in " ".join(
        response.context["form"].errors["to"]
    )
    referral.refresh_from_db()
    assert (referral.status, referral.sent_at) == (S.PROPOSED, None)
    assert actions(case) == [CaseAccess.Action.VIEW]


def test_consent_without_how_it_was_given_is_refused_by_the_field(
    client, advisor, case
):
    referral = make_referral(case)
    client.force_login(advisor)
    response = client.post(move_url(referral), {"to": S.CONSENTED, "consent_note": " "})
    assert response.status_code == 400
    assert response.context["form"].errors["consent_note"] == [
        "Skriv, hvordan beboeren gav samtykke."
    ]
    referral.refresh_from_db()
    assert (referral.status, referral.consented_at) == (S.PROPOSED, None)


def test_a_step_the_referral_does_not_have_is_refused_with_its_reason(
    client, advisor, case
):
    referral = make_referral(case, status=S.SENT)
    client.force_login(advisor)
    response = client.post(
        move_url(referral), {"to": S.COMPLETED, "consent_note": "Beholdt tekst"}
    )
    assert response.status_code == 400
    assert "»Sendt« kan ikke gå til »Afsluttet«" in " ".join(
        response.context["form"].errors["to"]
    )
    assert "Beholdt tekst" in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == S.SENT


@pytest.mark.parametrize("forged", ["banana", "", "PROPOSED"])
def test_a_forged_status_is_refused(client, advisor, case, forged):
    referral = make_referral(case)
    client.force_login(advisor)
    response = client.post(move_url(referral), {"to": forged})
    assert response.status_code == 400
    assert "to" in response.context["form"].errors
    referral.refresh_from_db()
    assert referral.status == S.PROPOSED


def test_a_consent_note_with_a_cpr_number_is_warned_then_stored_when_confirmed(
    client, advisor, case
):
    referral = make_referral(case)
    note = "Underskrevet, cpr 010203-1234"
    client.force_login(advisor)
    response = client.post(
        move_url(referral), {"to": S.CONSENTED, "consent_note": note}
    )
    assert response.status_code == 400
    assert "CPR-nummer" in " ".join(response.context["form"].errors["consent_note"])
    response = client.post(
        move_url(referral),
        {"to": S.CONSENTED, "consent_note": note, "confirm_cpr": "on"},
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.consent_note == note


def test_the_database_refuses_a_sent_referral_without_consent(case):
    with pytest.raises(IntegrityError), transaction.atomic():
        Referral.objects.create(
            case=case, to=Referral.To.LEGAL_AID, status=S.SENT, sent_at=NOW
        )
    referral = make_referral(case)
    with pytest.raises(IntegrityError), transaction.atomic():
        Referral.objects.filter(pk=referral.pk).update(status=S.SENT, sent_at=NOW)


# --- Who may --------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["other_advisor", "coordinator"])
def test_those_who_know_of_the_case_but_do_not_work_on_it_are_refused(
    client, personas, other_advisor, case, who
):
    referral = make_referral(case)
    client.force_login(other_advisor if who == "other_advisor" else personas[who])
    assert client.get(create_url(case)).status_code == 403
    assert client.post(create_url(case), referral_data()).status_code == 403
    assert client.get(move_url(referral)).status_code == 403
    response = client.post(move_url(referral), {"to": S.WITHDRAWN})
    assert response.status_code == 403
    referral.refresh_from_db()
    assert referral.status == S.PROPOSED
    assert Referral.objects.count() == 1
    assert not CaseAccess.objects.exists()


@pytest.mark.parametrize("role", ["staff", "safety_advisor", "partner", "admin"])
def test_other_roles_cannot_tell_the_case_exists(client, personas, case, role):
    referral = make_referral(case)
    client.force_login(personas[role])
    assert client.get(create_url(case)).status_code == 404
    assert client.post(create_url(case), referral_data()).status_code == 404
    assert client.post(move_url(referral), {"to": S.WITHDRAWN}).status_code == 404
    referral.refresh_from_db()
    assert referral.status == S.PROPOSED


def test_an_anonymised_case_takes_no_referral_step(client, advisor, case):
    referral = make_referral(case, status=S.SENT)
    case.status, case.closed_on, case.note = case.Status.CLOSED, OPENED, ""
    case.anonymised_at = NOW
    case.save(update_fields=["status", "closed_on", "note", "anonymised_at"])
    client.force_login(advisor)
    assert client.post(move_url(referral), {"to": S.ACCEPTED}).status_code == 403
    assert client.get(create_url(case)).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client, case):
    referral = make_referral(case)
    for response in (
        client.get(create_url(case)),
        client.post(move_url(referral), {"to": S.WITHDRAWN}),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_the_referral_pages_take_only_get_and_post(client, advisor, case):
    referral = make_referral(case)
    client.force_login(advisor)
    assert client.put(create_url(case)).status_code == 405
    assert client.delete(move_url(referral)).status_code == 405


# --- On the case page -----------------------------------------------------------------


def render_referrals(case, *, can_edit=True) -> str:
    context = {
        "case": case,
        "can_edit": can_edit,
        "referrals": list(case.referrals.all()),
    }
    return render_to_string("advice/_case_referrals.html", context)


def test_the_case_page_shows_each_referral_its_stamps_and_its_next_steps(case):
    make_referral(case)
    make_referral(case, status=S.SENT)
    make_referral(case, status=S.WITHDRAWN)
    html = render_referrals(case)
    assert html.count('data-testid="referral"') == 3
    assert html.count('data-testid="referral-step-consented"') == 1
    assert 'name="consent_note"' in html
    assert html.count('data-testid="referral-step-accepted"') == 1
    assert html.count('data-testid="referral-step-declined"') == 1
    assert html.count('data-testid="referral-step-withdrawn"') == 2
    assert 'data-testid="referral-step-sent"' not in html
    assert f"Samtykke 04.05.2026: {CONSENT}" in html
    assert "Sendt 04.05.2026" in html
    assert "Trukket tilbage 04.05.2026" in html
    assert reverse("advice:referral_create", args=[case.pk]) in html


def test_without_can_edit_the_referrals_have_no_buttons(case):
    make_referral(case)
    html = render_referrals(case, can_edit=False)
    assert "Foreslået" in html
    assert "<form" not in html
    assert reverse("advice:referral_create", args=[case.pk]) not in html


def test_the_referrals_fragment_queries_nothing_for_few_or_many(
    case, django_assert_num_queries
):
    make_referral(case)
    context = {"case": case, "can_edit": True, "referrals": list(case.referrals.all())}
    with django_assert_num_queries(0):
        render_to_string("advice/_case_referrals.html", context)
    for status in list(S) * 2:
        make_referral(case, status=status)
    context["referrals"] = list(case.referrals.all())
    with django_assert_num_queries(0):
        html = render_to_string("advice/_case_referrals.html", context)
    assert html.count('data-testid="referral"') == 15
