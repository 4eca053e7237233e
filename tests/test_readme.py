"""The README tells the truth about the commands and settings it names."""

import os
from pathlib import Path

from tests.test_deployment import settings_variables

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def test_every_setting_read_from_the_environment_is_in_the_readme_table():
    missing = [name for name in settings_variables() if f"| `{name}` |" not in README]
    assert missing == []


def test_the_two_commands_exist_and_ci_runs_the_test_command():
    for command in ("bin/dev", "bin/test"):
        assert f"{command} " in README
        assert os.access(ROOT / command, os.X_OK)
    assert "bin/test" in (ROOT / ".ci/run").read_text()


def test_the_demo_logins_in_the_readme_are_those_demo_data_creates():
    from boligsocial.management.commands.demo_data import (
        DEMO_PASSWORD,
        DEMO_TOTP_KEY,
        USERS,
    )

    assert DEMO_PASSWORD in README
    for username, *_ in USERS:
        assert f"`{username}`" in README
    assert f"`{DEMO_TOTP_KEY}`" in README
    assert "manage.py demo_totp" in README
