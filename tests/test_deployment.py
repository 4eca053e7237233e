"""The production deployment: Dockerfile, docker-compose.yml, .env.example, settings.

Read, parsed and run in subprocesses; no database and no Docker engine needed.
"""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = ROOT / "boligsocial" / "settings.py"
PORTAL_SERVICES = ("web", "worker", "beat")
# The release step runs the same image once, before them.
RELEASE = "migrate"

# Read by the settings in development only (production ignores them).
# Tests only: bin/test slows its worker's report builds down (ignored in production).
DEVELOPMENT_ONLY = {
    "DJANGO_DEBUG",
    "PORTAL_TEST_REPORT_PAUSE",
    "PORTAL_TEST_LEASE",
}
# Read by the settings only to refuse to start while they are set (their README
# rows say what to do instead): not in .env.example.
REFUSED = {"PORTAL_DELETION_JOURNAL"}
# In .env.example but read by something other than the settings: name -> the file
# that reads it.
NOT_READ_BY_SETTINGS = {
    "POSTGRES_PASSWORD": "docker-compose.yml",  # PostgreSQL's and DATABASE_URL's
    "WEB_CONCURRENCY": "Dockerfile",  # gunicorn's number of workers
}
CHECK_DEPLOY = ("check", "--deploy", "--fail-level", "WARNING")
REQUIRED_IN_PRODUCTION = (
    "DJANGO_SECRET_KEY",
    "DJANGO_ALLOWED_HOSTS",
    "DATABASE_URL",
    "EMAIL_URL",
    "CELERY_BROKER_URL",
    "CACHE_URL",
    "PORTAL_URL",
)


# --- Helpers --------------------------------------------------------------------------


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def service(name: str) -> dict:
    return compose()["services"][name]


def command(name: str) -> str:
    cmd = service(name)["command"]
    return " ".join(cmd) if isinstance(cmd, list) else cmd


def environment(name: str) -> dict:
    env = service(name).get("environment", {})
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {key: str(value) for key, value in env.items()}


def without_interpolation(value: str) -> str:
    """Replace compose's ${VAR...} by a plain word, so the URL parses."""
    return re.sub(r"\$\{[^}]*\}", "placeholder", value)


def named_volume_mounts(name: str) -> dict:
    """Container path -> named volume, for the service's named volumes."""
    declared = compose().get("volumes") or {}
    mounts = {}
    for volume in service(name).get("volumes", []):
        if isinstance(volume, dict):
            source, target = volume.get("source"), volume["target"]
        else:
            source, target = volume.split(":")[:2]
        if source in declared:
            mounts[target] = source
    return mounts


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined, comments dropped."""
    instructions, current = [], ""
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        current += stripped
        keyword, _, arguments = current.partition(" ")
        instructions.append((keyword.upper(), " ".join(arguments.split())))
        current = ""
    return instructions


def runs() -> list[str]:
    return [args for keyword, args in dockerfile_instructions() if keyword == "RUN"]


def settings_variables() -> set[str]:
    """Every environment variable boligsocial/settings.py reads (env or os)."""
    reads = r"(?:\benv(?:\.\w+)?\(|os\.getenv\(|os\.environ(?:\.get\(|\[))"
    return set(re.findall(reads + r'\s*"([A-Z][A-Z0-9_]*)"', SETTINGS.read_text()))


def env_example() -> tuple[dict, set[str]]:
    """The values set in .env.example, and the names only mentioned as comments."""
    active, commented = {}, set()
    for line in (ROOT / ".env.example").read_text().splitlines():
        line = line.strip()
        if match := re.fullmatch(r"([A-Z][A-Z0-9_]*)=(.*)", line):
            name, value = match.groups()
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
                value = value[1:-1]
            active[name] = value
        elif match := re.fullmatch(r"#\s*([A-Z][A-Z0-9_]*)=.*", line):
            commented.add(match.group(1))
    return active, commented


def clean_environment(tmp_path: Path, **values: str) -> dict:
    """The test process's environment without anything the settings read."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in settings_variables()
        and not key.startswith(("DJANGO_", "PORTAL_", "DATABASE_", "CELERY_", "EMAIL_"))
    }
    env["DJANGO_SETTINGS_MODULE"] = "boligsocial.settings"
    env["PORTAL_VAR_DIR"] = str(tmp_path / "var")
    env.update(values)
    return env


def production(tmp_path: Path, **overrides: str | None) -> dict:
    values = {
        "PORTAL_ENVIRONMENT": "production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "portal.example.org",
        "DATABASE_URL": "postgres://u:p@localhost/db",
        "EMAIL_URL": "smtp://localhost:25",
        "CELERY_BROKER_URL": "redis://localhost:6379/0",
        "CACHE_URL": "redis://localhost:6379/1",
        "PORTAL_URL": "https://portal.example.org",
        "PORTAL_CONTACT_EMAIL": "kontakt@portal.example.org",
    }
    values.update(overrides)
    return clean_environment(
        tmp_path, **{key: value for key, value in values.items() if value is not None}
    )


# The address django-axes locks out, for requests arriving from the proxy (REMOTE_ADDR
# is the Docker network's gateway) with the given X-Forwarded-For headers.
AXES_PROBE = """
import json, sys
import django
django.setup()
from axes.helpers import get_client_ip_address
from django.test import RequestFactory
factory = RequestFactory()
addresses = {}
for forwarded_for in json.loads(sys.argv[1]):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded_for} if forwarded_for else {}
    request = factory.get("/", REMOTE_ADDR="172.18.0.1", **headers)
    addresses[forwarded_for] = get_client_ip_address(request)
print(json.dumps(addresses))
"""
CLIENT, FORGED, GATEWAY = "203.0.113.7", "198.51.100.9", "172.18.0.1"


def probe(code: str, env: dict, *arguments: str) -> subprocess.CompletedProcess:
    """Python code run with the settings of `env`, in a process of its own."""
    result = subprocess.run(
        [sys.executable, "-c", code, *arguments],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result


def axes_addresses(tmp_path: Path, proxy_count: str, *forwarded_for: str) -> dict:
    env = clean_environment(tmp_path, AXES_PROXY_COUNT=proxy_count)
    return json.loads(probe(AXES_PROBE, env, json.dumps(forwarded_for)).stdout)


def manage(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


# --- docker-compose.yml ---------------------------------------------------------------


def test_compose_defines_exactly_the_services_migrate_web_worker_beat_db_and_redis():
    assert set(compose()["services"]) == {
        "migrate",
        "web",
        "worker",
        "beat",
        "db",
        "redis",
    }


def test_the_release_step_migrates_once_and_is_not_restarted():
    migrate = service(RELEASE)

    assert command(RELEASE) == "python manage.py migrate --noinput"
    assert migrate["restart"] == "no"
    assert migrate["image"] == service("web")["image"]
    assert environment(RELEASE) == environment("web")


@pytest.mark.parametrize("name", PORTAL_SERVICES)
def test_web_worker_and_beat_start_only_after_the_release_step_succeeded(name):
    assert service(name)["depends_on"][RELEASE] == {
        "condition": "service_completed_successfully"
    }
    assert "migrate" not in command(name)


def test_web_runs_gunicorn_with_boligsocial_wsgi():
    cmd = command("web")

    assert re.match(r"gunicorn boligsocial\.wsgi\b", cmd)
    assert "--bind 0.0.0.0:8000" in cmd


@pytest.mark.parametrize("name", PORTAL_SERVICES)
def test_web_worker_and_beat_check_their_own_health(name):
    check = service(name)["healthcheck"]

    assert check["test"] == ["CMD", "python", "-m", "boligsocial.healthcheck", name]
    assert check["start_period"] and check["retries"] >= 3


@pytest.mark.parametrize("name", [*PORTAL_SERVICES, RELEASE, "db", "redis"])
def test_every_service_has_a_memory_limit_and_rotated_logs(name):
    limit = service(name)["mem_limit"]
    logging = service(name)["logging"]

    assert re.fullmatch(r"\d+[mg]", limit)
    assert logging["driver"] == "json-file"
    assert logging["options"] == {"max-size": "10m", "max-file": "5"}


def test_redis_refuses_writes_before_its_container_runs_out_of_memory():
    cmd = command("redis")
    maxmemory = re.search(r"--maxmemory (\d+)mb", cmd).group(1)

    assert int(maxmemory) < int(service("redis")["mem_limit"].removesuffix("m"))
    assert "--maxmemory-policy noeviction" in cmd


def test_web_publishes_port_8000_on_the_loopback_interface_only():
    ports = service("web")["ports"]

    assert ports == ["127.0.0.1:8000:8000"]
    for name in ("migrate", "worker", "beat", "db", "redis"):
        assert "ports" not in service(name), f"{name} must not publish a port"


def test_worker_runs_the_celery_worker_of_the_boligsocial_app():
    assert re.match(r"celery -A boligsocial worker\b", command("worker"))


def test_beat_runs_celery_beat_with_its_schedule_on_a_named_volume():
    cmd = command("beat")

    assert re.match(r"celery -A boligsocial beat\b", cmd)
    schedule = re.search(r"--schedule[ =](\S+)", cmd).group(1)
    assert str(Path(schedule).parent) in named_volume_mounts("beat")


def test_db_is_postgres_15_keeping_its_data_on_a_named_volume():
    db = service("db")

    assert db["image"].startswith("postgres:15")
    assert "/var/lib/postgresql/data" in named_volume_mounts("db")


def test_redis_is_redis_7():
    assert service("redis")["image"].startswith("redis:7")


@pytest.mark.parametrize("name", ["db", "redis"])
def test_db_and_redis_have_a_healthcheck(name):
    assert service(name)["healthcheck"]["test"]


def test_web_and_worker_share_the_media_volume_mounted_at_media_root():
    web_mounts = named_volume_mounts("web")
    worker_mounts = named_volume_mounts("worker")
    media_root = environment("web")["MEDIA_ROOT"]

    assert environment("worker")["MEDIA_ROOT"] == media_root
    assert web_mounts.get(media_root) is not None
    assert web_mounts[media_root] == worker_mounts.get(media_root)


@pytest.mark.parametrize("name", PORTAL_SERVICES)
def test_each_portal_process_runs_in_production_against_the_db_and_redis_services(
    name,
):
    env = environment(name)
    database = urlsplit(without_interpolation(env["DATABASE_URL"]))
    broker = urlsplit(env["CELERY_BROKER_URL"])
    cache = urlsplit(env["CACHE_URL"])

    assert env["PORTAL_ENVIRONMENT"] == "production"
    assert database.scheme in ("postgres", "postgresql")
    assert database.hostname == "db"
    assert broker.scheme == "redis"
    assert broker.hostname == "redis"
    assert (cache.scheme, cache.hostname) == ("redis", "redis")


@pytest.mark.parametrize("name", [*PORTAL_SERVICES, RELEASE])
def test_each_portal_process_reads_the_env_file_and_waits_for_healthy_db_and_redis(
    name,
):
    portal = service(name)
    env_file = portal["env_file"]

    assert (env_file if isinstance(env_file, list) else [env_file]) == [".env"]
    assert portal["depends_on"]["db"] == {"condition": "service_healthy"}
    assert portal["depends_on"]["redis"] == {"condition": "service_healthy"}


def test_the_database_password_comes_from_env_and_is_required():
    password = environment("db")["POSTGRES_PASSWORD"]

    assert re.fullmatch(r"\$\{POSTGRES_PASSWORD:\?[^}]*\}", password)
    assert "${POSTGRES_PASSWORD:?" in environment("web")["DATABASE_URL"]


# --- Dockerfile -----------------------------------------------------------------------


def test_the_image_is_python_3_11_slim_bookworm():
    assert ("FROM", "python:3.11-slim-bookworm") in dockerfile_instructions()


def test_the_image_installs_weasyprints_runtime_libraries_and_fonts():
    apt = next(run for run in runs() if "apt-get install" in run)

    assert "--no-install-recommends" in apt
    for package in ("libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0"):
        assert package in apt.split()
    assert {"fonts-dejavu-core", "fonts-liberation2"} & set(apt.split())
    assert "rm -rf /var/lib/apt/lists/*" in apt


def test_the_image_installs_the_project_from_pyproject_with_the_build_constraint():
    copies = [args for keyword, args in dockerfile_instructions() if keyword == "COPY"]
    installs = [run for run in runs() if "pip install" in run]

    assert any("pyproject.toml" in args.split() for args in copies)
    assert any(".ci/build-constraints.txt" in args for args in copies)
    assert installs
    for install in installs:
        assert "PIP_CONSTRAINT=.ci/build-constraints.txt pip install" in install
    project = re.compile(r"pip install (--no-deps )?(--editable |-e )?\.( |$)")
    assert any(project.search(install) for install in installs)


def test_the_image_collects_static_files_with_the_production_storage():
    collect = next(run for run in runs() if "collectstatic" in run)

    assert "manage.py collectstatic --noinput" in collect
    # Only production settings write whitenoise's hashed manifest.
    assert "PORTAL_ENVIRONMENT=production" in collect


def test_the_build_time_settings_of_collectstatic_satisfy_the_production_checks(
    tmp_path,
):
    collect = next(run for run in runs() if "collectstatic" in run)
    values = dict(re.findall(r"\b([A-Z][A-Z0-9_]*)=(\S+)", collect.split("python")[0]))

    result = manage(clean_environment(tmp_path, **values), "check")

    assert result.returncode == 0, result.stderr


def test_the_image_runs_as_a_non_root_user():
    users = [args for keyword, args in dockerfile_instructions() if keyword == "USER"]

    assert users
    assert users[-1] not in ("root", "0")


def test_the_image_exposes_8000_and_its_default_command_is_gunicorn_boligsocial_wsgi():
    instructions = dockerfile_instructions()
    cmd = json.loads(next(args for keyword, args in instructions if keyword == "CMD"))

    assert ("EXPOSE", "8000") in instructions
    assert cmd[:2] == ["gunicorn", "boligsocial.wsgi"]
    assert cmd[cmd.index("--bind") + 1] == "0.0.0.0:8000"


def test_the_build_context_leaves_out_secrets_the_virtualenv_and_local_data():
    ignored = {
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }

    assert {".env", ".venv", "var", ".git"} <= ignored
    assert not {"README.md", "pyproject.toml", ".ci"} & ignored


# --- .env.example and the settings ----------------------------------------------------


def test_every_variable_in_env_example_is_read_by_the_settings():
    active, commented = env_example()
    read = settings_variables()

    for name in sorted((set(active) | commented) - read):
        assert name in NOT_READ_BY_SETTINGS, f"{name} is in .env.example but unused"
        reader = ROOT / NOT_READ_BY_SETTINGS[name]
        assert name in reader.read_text(), f"{name} is not read by {reader.name}"


def test_every_variable_the_settings_read_is_in_env_example_or_development_only():
    active, commented = env_example()

    missing = settings_variables() - set(active) - commented - DEVELOPMENT_ONLY
    assert not missing - REFUSED, f"add to .env.example: {sorted(missing)}"


def test_every_required_production_setting_comes_from_env_or_from_compose():
    active, _ = env_example()
    from_compose = set(environment("web"))

    for name in REQUIRED_IN_PRODUCTION:
        assert (name in active) != (name in from_compose), name


def test_env_example_with_a_secret_key_filled_in_passes_the_deployment_checks(
    tmp_path,
):
    active, _ = env_example()
    password = "0123456789abcdef"
    values = {
        **active,
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        **{
            key: re.sub(r"\$\{POSTGRES_PASSWORD[^}]*\}", password, value)
            for key, value in environment("web").items()
        },
    }

    result = manage(clean_environment(tmp_path, **values), *CHECK_DEPLOY)

    assert result.returncode == 0, result.stdout + result.stderr


def test_env_example_as_shipped_is_refused_until_the_secret_key_is_filled_in(tmp_path):
    active, _ = env_example()
    values = {**active, **environment("web")}

    result = manage(clean_environment(tmp_path, **values), "check")

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


# --- The settings in production -------------------------------------------------------


def test_check_deploy_passes_without_warnings_with_production_values(tmp_path):
    result = manage(production(tmp_path), *CHECK_DEPLOY)

    assert result.returncode == 0, result.stdout + result.stderr
    # One, on purpose: django-ratelimit does not list Django's own RedisCache among
    # the backends it knows (settings.py says why it is fine).
    assert "System check identified no issues (1 silenced)." in result.stdout


@pytest.mark.parametrize("name", REQUIRED_IN_PRODUCTION)
def test_production_refuses_to_start_without_each_required_setting_and_names_it(
    tmp_path, name
):
    result = manage(production(tmp_path, **{name: None}), "check")

    assert result.returncode != 0
    assert f"{name} is missing or malformed" in result.stderr


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DJANGO_SECRET_KEY", "0123456789"),
        ("DJANGO_SECRET_KEY", "django-insecure-" + "x1y2z3" * 10),
        ("DJANGO_SECRET_KEY", "a" * 60),
        ("DJANGO_ALLOWED_HOSTS", "*"),
        ("DJANGO_ALLOWED_HOSTS", "portal.example.org,*"),
        ("DATABASE_URL", "mysql://x"),
        ("DATABASE_URL", "sqlite:///portal.sqlite3"),
        ("EMAIL_URL", "consolemail://"),
        ("CELERY_BROKER_URL", "filesystem://"),
        ("CELERY_BROKER_URL", "amqp://localhost"),
        ("CACHE_URL", "locmemcache://"),
        ("CACHE_URL", "filecache:///tmp/cache"),
        ("PORTAL_URL", "http://portal.example.org"),
    ],
)
def test_production_refuses_to_start_with_a_malformed_setting_and_names_it(
    tmp_path, name, value
):
    result = manage(production(tmp_path, **{name: value}), "check")

    assert result.returncode != 0
    assert f"{name} is missing or malformed" in result.stderr


def test_an_unknown_portal_environment_is_refused_by_name(tmp_path):
    result = manage(production(tmp_path, PORTAL_ENVIRONMENT="staging"), "check")

    assert result.returncode != 0
    assert "PORTAL_ENVIRONMENT must be one of development, production" in result.stderr


# --- django-axes behind the TLS proxy -----------------------------------------------


def test_with_the_env_example_setting_a_client_cannot_choose_its_lockout_address(
    tmp_path,
):
    active, _ = env_example()
    # A proxy that overwrites X-Forwarded-For sends the first; one that appends to a
    # forged header, the second.
    addresses = axes_addresses(
        tmp_path, active["AXES_PROXY_COUNT"], CLIENT, f"{FORGED}, {CLIENT}"
    )

    assert FORGED not in addresses.values()
    assert None not in addresses.values(), "every client would share one lock-out"


def test_behind_one_tls_proxy_axes_locks_out_the_address_the_proxy_saw(tmp_path):
    addresses = axes_addresses(tmp_path, "1", CLIENT, f"{FORGED}, {CLIENT}", "")

    assert addresses[CLIENT] == CLIENT
    assert addresses[f"{FORGED}, {CLIENT}"] in (CLIENT, GATEWAY)
    assert addresses[""] == GATEWAY


COOKIE_PROBE = """
import django
django.setup()
from django.conf import settings
print(settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE,
      settings.LANGUAGE_COOKIE_SECURE)
"""


def test_production_sends_every_cookie_of_ours_over_https_only(tmp_path):
    """The session, the CSRF token and the language choice (the residents' own
    language cookie and the signed withdrawal cookies follow the session's)."""
    result = probe(COOKIE_PROBE, production(tmp_path))
    assert result.stdout.split() == ["True", "True", "True"]


SENTRY_PROBE = """
import django
django.setup()
import sentry_sdk
client = sentry_sdk.get_client()
print(client.dsn, client.options["environment"], client.options["before_send"].__name__)
"""


def test_with_a_sentry_dsn_each_process_reports_its_errors_scrubbed(tmp_path):
    dsn = "https://publickey@sentry.example.org/7"
    result = probe(SENTRY_PROBE, production(tmp_path, SENTRY_DSN=dsn))
    assert result.stdout.split() == [dsn, "production", "scrubbed"]


def test_without_a_sentry_dsn_nothing_is_sent_anywhere(tmp_path):
    code = "import django; django.setup(); import sentry_sdk; "
    code += "print(sentry_sdk.get_client().is_active())"
    assert probe(code, production(tmp_path)).stdout.strip() == "False"


def test_a_setting_for_the_journal_of_an_earlier_version_is_refused_by_name(tmp_path):
    env = production(tmp_path, PORTAL_DELETION_JOURNAL="/app/var/old.jsonl")
    result = manage(env, "check")
    assert result.returncode != 0
    assert "PORTAL_DELETION_JOURNAL is no longer read" in result.stderr


@pytest.mark.parametrize(
    ("media", "journal"),
    [("journal", "journal"), ("media", "media/journal"), ("", "j")],
)
def test_files_and_journal_prefixes_that_overlap_are_refused(tmp_path, media, journal):
    env = production(
        tmp_path, S3_BUCKET="portal", S3_PREFIX=media, S3_JOURNAL_PREFIX=journal
    )
    result = manage(env, "check")
    assert result.returncode != 0
    assert "S3_PREFIX and S3_JOURNAL_PREFIX must be two folders" in result.stderr
