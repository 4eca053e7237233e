"""Coordinators keep the Nabohjælp targets and consent wordings in the admin."""

from django.urls import reverse

from boligsocial.models import Area
from safety.models import ConsentText, SignUpTarget


def test_a_coordinator_sets_an_areas_yearly_target(client, coordinator):
    client.force_login(coordinator)
    rising = Area.objects.get(slug="rising")
    response = client.post(
        reverse("admin:safety_signuptarget_add"),
        {"area": rising.pk, "year": "2026", "value": "40"},
    )
    assert response.status_code == 302
    assert SignUpTarget.objects.get().value == 40


def test_a_new_consent_wording_becomes_the_current_one(client, coordinator):
    client.force_login(coordinator)
    response = client.post(
        reverse("admin:safety_consenttext_add"),
        {"text": "Ny formulering.", "language": "da"},
    )
    assert response.status_code == 302
    assert ConsentText.current().text == "Ny formulering."
    # Shown in Danish on the other languages' pages until it is translated, as
    # the coordinator is told.
    assert ConsentText.current("so").text == "Ny formulering."
    told = client.get(response["Location"]).content.decode()
    assert "til den er oversat" in told and "Soomaali" in told


def test_a_translation_of_the_wording_is_current_in_its_language(client, coordinator):
    client.force_login(coordinator)
    danish = ConsentText.objects.create(text="Ny formulering.")
    response = client.post(
        reverse("admin:safety_consenttext_add"),
        {"text": "Qoraal cusub.", "language": "so", "original": danish.pk},
    )
    assert response.status_code == 302
    assert ConsentText.current("so").text == "Qoraal cusub."
    assert ConsentText.current() == danish


def test_a_wording_is_danish_or_a_translation_of_one(client, coordinator):
    client.force_login(coordinator)
    danish = ConsentText.current()
    url = reverse("admin:safety_consenttext_add")
    untied = client.post(url, {"text": "Not tied.", "language": "en"})
    assert untied.status_code == 200
    assert "en oversættelse er af en dansk formulering" in untied.content.decode()
    twice = client.post(
        url, {"text": "Again.", "language": "en", "original": danish.pk}
    )
    assert "allerede oversat til det sprog" in twice.content.decode()
    assert ConsentText.objects.filter(text__in=["Not tied.", "Again."]).count() == 0


def test_a_consent_wording_cannot_be_edited_or_deleted(client, coordinator):
    client.force_login(coordinator)
    consent = ConsentText.current()
    change = reverse("admin:safety_consenttext_change", args=[consent.pk])
    client.post(change, {"text": "Ændret."})
    assert ConsentText.objects.get(pk=consent.pk).text == consent.text
    delete = reverse("admin:safety_consenttext_delete", args=[consent.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403


def test_staff_and_partners_do_not_reach_the_targets(client, staff, partner):
    for user in (staff, partner):
        client.force_login(user)
        response = client.get(reverse("admin:safety_signuptarget_changelist"))
        assert response.status_code in (302, 403)


def test_a_translation_is_of_a_danish_wording_never_of_a_translation(
    client, coordinator
):
    client.force_login(coordinator)
    arabic = ConsentText.current("ar")
    response = client.post(
        reverse("admin:safety_consenttext_add"),
        {
            "text": "Translation of a translation.",
            "language": "tr",
            "original": arabic.pk,
        },
    )
    assert response.status_code == 200
    assert "original" in response.context["adminform"].form.errors
    assert not ConsentText.objects.filter(text="Translation of a translation.").exists()
