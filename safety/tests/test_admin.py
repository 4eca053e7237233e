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
        reverse("admin:safety_consenttext_add"), {"text": "Ny formulering."}
    )
    assert response.status_code == 302
    assert ConsentText.current().text == "Ny formulering."


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
