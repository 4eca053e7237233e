"""The README's restore, followed as written, without Docker.

Each command of the README's restore block is carried out as Docker would: a
`docker compose run ... web` runs its command with the web service's volumes and
the run's own `-e` and `-v`, every container path mapped to a folder of this
test; `docker compose exec db` runs against the test's PostgreSQL server, with the
README's database names mapped to names of this test. Docker is not here to run
the commands as uid 1000, so its rule is checked instead, command by command:
the portal's user may write only into a named volume the image made its own and
into a host folder the steps gave it (`chown 1000`); a path outside them is in the
container's throwaway layer, or one it may not create (/app/var is root's).

The drill: a portal with a household, a finding's photo and a report's PDF is
backed up into the README's folder; the household is erased after the backup; the
steps run; the database named `portal` is then the restored one, with the
household still erased, and the media volume holds the backup's files and no other.
"""

import hashlib
import io
import json
import os
import re
import shlex
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import yaml
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from advice.tests.conftest import make_case, make_household
from boligsocial.backups import MANIFEST
from tests.database import database_url, on_server
from tests.servers import ROOT

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the steps are PostgreSQL's"
    ),
]

README = (ROOT / "README.md").read_text()
BACKUP = "2026-11-22"  # the folder the README's restore names
PORTAL_UID = "1000"


def restore_commands() -> list[str]:
    """The README's restore block, one command per entry (continued lines joined,
    comments left out)."""
    start = README.index("docker compose stop web worker beat")
    block = README[README.rindex("```sh", 0, start) + 5 : README.index("```", start)]
    commands = []
    for line in block.replace("\\\n", " ").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            commands.append(line)
    return commands


def web_service() -> tuple[dict, dict]:
    """The web service's environment and its volumes (container path → volume)."""
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    web = compose["services"]["web"]
    volumes = dict(reversed(v.split(":")[:2]) for v in web["volumes"])
    return {k: str(v) for k, v in web["environment"].items()}, volumes


def owned_in_image() -> set[str]:
    """The folders the Dockerfile gives the portal's user."""
    text = (ROOT / "Dockerfile").read_text()
    return {
        path
        for match in re.finditer(r"chown portal:portal ((?:/\S+ ?)+)", text)
        for path in match.group(1).split()
    }


class Refused(AssertionError):
    """A step that could not work as written under Docker."""


class Host:
    """The machine the README's commands run on, in a folder of the test."""

    def __init__(self, root: Path, journal: Path):
        self.root = root
        self.owned: set[Path] = set()  # host folders given to uid 1000
        self.prefix = f"steps_{uuid.uuid4().hex[:8]}"
        self.names: dict[str, str] = {}  # the README's database names → real ones
        self.volumes = {"media": root / "volumes" / "media", "journal": journal}
        for folder in self.volumes.values():
            folder.mkdir(parents=True, exist_ok=True)
        self.environment, self.mounts = web_service()
        self.image_owned = owned_in_image()

    # --- PostgreSQL ----------------------------------------------------------------

    def database(self, name: str) -> str:
        return self.names.setdefault(name, f"{self.prefix}_{name}")

    def sql(self, statement: str, params=(), *, dbname="postgres") -> list[tuple]:
        return on_server(dbname, statement, params)

    def drop_databases(self) -> None:
        for real in self.names.values():
            self.sql(f'DROP DATABASE IF EXISTS "{real}" WITH (FORCE)')

    # --- The commands ----------------------------------------------------------------

    def run(self, command: str) -> None:
        command = command.replace("$PWD", str(self.root))
        command = command.replace("$POSTGRES_PASSWORD", "unused")
        if command.startswith("docker "):
            self.one(shlex.split(command))
        else:  # the host's own shell: "mkdir -p x && chown 1000 x"
            for part in command.split("&&"):
                self.one(shlex.split(part))

    def one(self, words: list[str]) -> None:
        if words[:2] == ["mkdir", "-p"]:
            self.here(words[2]).mkdir(parents=True, exist_ok=True)
        elif words[:1] == ["chown"]:
            assert words[1] == PORTAL_UID, words
            self.owned.add(self.here(words[2]))
        elif words[:3] in (["docker", "compose", "stop"], ["docker", "compose", "up"]):
            pass  # no process of the portal runs here
        elif words[:3] == ["docker", "compose", "exec"]:
            self.exec_db(words[3:])
        elif words[:3] == ["docker", "compose", "run"]:
            self.run_web(words[3:])
        else:
            raise AssertionError(f"a step this test does not know: {words}")

    def here(self, path: str) -> Path:
        """A path the host's shell was given, from its working folder."""
        return self.root / path

    def exec_db(self, words: list[str]) -> None:
        words = [w for w in words if w != "-T"]
        assert words[0] == "db", words
        program, options = words[1], words[2:]
        if program == "createdb":
            name = options[-1]
            self.sql(f'CREATE DATABASE "{self.database(name)}"')
        elif program == "psql":
            for statement in (
                options[i + 1] for i, o in enumerate(options) if o == "-c"
            ):
                match = re.fullmatch(r"ALTER DATABASE (\w+) RENAME TO (\w+)", statement)
                assert match, statement
                old, new = match.groups()
                real_old = self.database(old)
                self.names[new] = f"{self.prefix}_{new}"
                self.sql(f'ALTER DATABASE "{real_old}" RENAME TO "{self.names[new]}"')
                del self.names[old]
        else:
            raise AssertionError(f"db: {program}")

    def run_web(self, words: list[str]) -> None:
        env, binds, i = dict(self.environment), {}, 0
        while words[i].startswith("-"):
            flag = words[i]
            if flag in ("-e", "-v"):
                value = words[i + 1]
                if flag == "-e":
                    key, _, val = value.partition("=")
                    env[key] = val
                else:
                    host, container, *mode = value.split(":")
                    binds[container] = (Path(host), mode == ["ro"])
                i += 2
            else:
                i += 1  # --rm, --no-deps, -T
        assert words[i] == "web", words
        command = words[i + 1 :]
        mounts = {
            **{c: (self.volumes[v], False) for c, v in self.mounts.items()},
            **binds,
        }
        self.check_writes(env, mounts)
        if command[:2] == ["python", "manage.py"]:
            self.manage(command[2:], env, mounts)
        else:
            assert command[:2] == ["sh", "-c"], command
            script = self.mapped(command[2], mounts)
            subprocess.run(["sh", "-c", script], check=True)  # noqa: S603, S607

    def check_writes(self, env: dict, mounts: dict) -> None:
        """Where the command writes must be a volume the image gave uid 1000, or
        a host folder the steps gave it, mounted read-write."""
        for key in ("MEDIA_ROOT", "PORTAL_JOURNAL_DIR"):
            path = env.get(key)
            if not path:
                continue
            mount = self.mount_of(path, mounts)
            if mount is None:
                raise Refused(
                    f"{key}={path} is in the container's own layer: the files would "
                    "be lost with it (and uid 1000 may not create it under /app/var)."
                )
            container, (host, read_only) = mount
            given = container in self.image_owned or any(
                host == owned or owned in host.parents for owned in self.owned
            )
            if read_only or not given:
                raise Refused(f"{key}={path}: uid {PORTAL_UID} may not write there.")

    @staticmethod
    def mount_of(path: str, mounts: dict):
        found = [c for c in mounts if path == c or path.startswith(c.rstrip("/") + "/")]
        if not found:
            return None
        container = max(found, key=len)
        return container, mounts[container]

    def mapped(self, text: str, mounts: dict) -> str:
        """Container paths in `text` as this host's folders."""
        for container in sorted(mounts, key=len, reverse=True):
            text = text.replace(container, str(mounts[container][0]))
        return text

    def manage(self, arguments: list[str], env: dict, mounts: dict) -> None:
        process_env = {
            **os.environ,
            "PORTAL_ENVIRONMENT": "development",
            "PORTAL_VAR_DIR": str(self.root / "app-var"),
            "MEDIA_ROOT": self.mapped(env["MEDIA_ROOT"], mounts),
            "PORTAL_JOURNAL_DIR": self.mapped(env["PORTAL_JOURNAL_DIR"], mounts),
            "DATABASE_URL": self.database_url(env["DATABASE_URL"]),
        }
        done = subprocess.run(  # noqa: S603 - our own command
            [sys.executable, str(ROOT / "manage.py")]
            + [self.mapped(a, mounts) for a in arguments],
            env=process_env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        self.last_output = done.stdout

    def database_url(self, url: str) -> str:
        """The README's URL (user, password, host `db`) as the test server's."""
        name = url.rsplit("/", 1)[1]
        assert url.startswith("postgres://portal:unused@db:5432/"), url
        return database_url(self.database(name))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def files_under(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): sha256(p)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def host(tmp_path, deletion_journal):
    made = Host(tmp_path / "host", deletion_journal)
    yield made
    made.drop_databases()


def test_the_readmes_restore_steps_bring_back_the_database_and_its_files(
    host, client, advisor, departments, settings
):
    settings.MEDIA_ROOT = host.volumes["media"]
    household = make_household(departments[0], name="Hanne Glemtsen")
    case = make_case(household, advisors=[advisor], note="Husleje i restance")
    default_storage.save("reports/report-1.pdf", ContentFile(b"%PDF-1.7 the report"))
    # The nightly backup, as the README's first block writes it.
    backup = host.root / "backups" / BACKUP
    call_command("backup", str(backup), stdout=io.StringIO())
    manifest = json.loads((backup / MANIFEST).read_text())
    # After the backup: the household erased on request, and a file the backup
    # does not have.
    client.force_login(advisor)
    erase = reverse("advice:household_erase", args=[case.pk])
    client.post(erase, {"requested": "on", "reason": "Bad om det"})
    default_storage.save("reports/report-2.pdf", ContentFile(b"%PDF-1.7 later"))
    # The live database the restore replaces (here an empty stand-in).
    host.sql(f'CREATE DATABASE "{host.database("portal")}"')

    for command in restore_commands():
        host.run(command)

    assert "resurrected deletions: 0" in host.last_output
    live = host.names["portal"]
    (name,) = host.sql(
        "SELECT name FROM advice_household WHERE id = %s", [household.pk], dbname=live
    )[0]
    assert name == ""  # still erased: the journal was applied again
    cases = "SELECT COUNT(*) FROM advice_case WHERE id = %s"
    assert host.sql(cases, [case.pk], dbname=live) == [(1,)]
    assert "portal_before_restore" in host.names
    # The media volume holds the backup's files, and only those.
    assert files_under(host.volumes["media"]) == manifest["media"]["files"]


def test_files_restored_where_the_portal_user_cannot_keep_them_are_refused(host):
    # The README's former step: the files into the container's own /app/var.
    former = (
        "docker compose run --rm --no-deps "
        "-e DATABASE_URL=postgres://portal:$POSTGRES_PASSWORD@db:5432/portal_restore "
        "-e MEDIA_ROOT=/app/var/restore-media "
        '-v "$PWD/backups:/backups" web python manage.py restore /backups/2026-11-22'
    )
    with pytest.raises(Refused, match="the container's own layer"):
        host.run(former)
    # A host folder not given to uid 1000 is refused too.
    unowned = former.replace(
        "-e MEDIA_ROOT=/app/var/restore-media",
        '-e MEDIA_ROOT=/restore/media -v "$PWD/restore:/restore"',
    )
    with pytest.raises(Refused, match="may not write there"):
        host.run(unowned)
