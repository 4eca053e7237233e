"""The load check's database: the plan, the demo data, and accounts for its users.

    .venv/bin/python bench/load_setup.py --users 20 --out accounts.json

Migrates the database DATABASE_URL names (give it an empty one: bin/load makes a
throwaway PostgreSQL), loads the demo data, and adds USERS staff accounts and USERS
partner accounts (as many as there are simulated users, however Locust divides
them), each with an authenticator app, so a user is asked for a code whenever the
portal asks that role for one. Writes their names, their one password and the
app's key to OUT (mode 600) for bench/locustfile.py.
"""

import argparse
import json
import os
import secrets
from pathlib import Path

from common import scratch_portal

# Partners of two organisations, as the demo partners: the police in two areas,
# a housing organisation in one.
PARTNER_ORGANISATIONS = [
    ("Fyns Politi", ["rising", "korslokkeparken"]),
    ("Demo Boligforening Fyn", ["vollsmose"]),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    scratch_portal()
    accounts = create_accounts(args.users)
    args.out.touch(mode=0o600)
    args.out.write_text(json.dumps(accounts, indent=2))
    print(
        f"{len(accounts['staff'])} staff and {len(accounts['partner'])} partner "
        "accounts for the load check"
    )


def create_accounts(n: int) -> dict:
    from django.contrib.auth.hashers import make_password
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from boligsocial.models import Area, Organisation, Role, User

    password = secrets.token_urlsafe(18)
    # One hash for every account: each costs the PBKDF2 rounds of a real login.
    hashed = make_password(password)
    key = secrets.token_hex(20)
    house = Organisation.objects.get(name="BoligSocialt Hus")
    accounts = {"staff": [], "partner": []}
    for i in range(1, n + 1):
        staff = User.objects.create(
            username=f"load-staff-{i:03d}",
            role=Role.STAFF,
            organisation=house,
            password=hashed,
        )
        staff.areas.set(Area.objects.filter(slug__in=["rising", "korslokkeparken"]))
        organisation, areas = PARTNER_ORGANISATIONS[i % len(PARTNER_ORGANISATIONS)]
        partner = User.objects.create(
            username=f"load-partner-{i:03d}",
            role=Role.PARTNER,
            organisation=Organisation.objects.get(name=organisation),
            password=hashed,
        )
        partner.areas.set(Area.objects.filter(slug__in=areas))
        for user in (staff, partner):
            TOTPDevice.objects.create(
                user=user, name="default", key=key, confirmed=True
            )
        accounts["staff"].append(staff.username)
        accounts["partner"].append(partner.username)
    return {
        **accounts,
        "password": password,
        "totp_key": key,
        # Every record the load check saves carries this in its note.
        "note_prefix": f"load-{secrets.token_hex(4)}",
    }


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "boligsocial.settings")
    main()
