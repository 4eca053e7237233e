"""With nothing configured, background work still runs in the background.

The development default is SQLite and kombu's file-system broker: this starts a
real worker on those, in a scratch folder, and sends it a task from another process.
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CELERY = Path(sys.executable).with_name("celery")
PING = "from boligsocial.tasks import ping; print(ping.delay().get(timeout=60))"


def development_env(var_dir: Path) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_", "CELERY_", "DJANGO_", "PORTAL_"))
    }
    env.update(PORTAL_ENVIRONMENT="development", PORTAL_VAR_DIR=str(var_dir))
    return env


def test_a_task_runs_on_a_worker_with_the_embedded_broker_and_database(tmp_path):
    env = development_env(tmp_path)
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    worker = subprocess.Popen(
        [
            str(CELERY),
            "-A",
            "boligsocial",
            "worker",
            "-l",
            "INFO",
            "--concurrency",
            "1",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        result = subprocess.run(
            [
                *manage,
                "shell",
                "-c",
                PING,
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=90,
        )
    finally:
        worker.terminate()
        log, _ = worker.communicate(timeout=30)
    assert result.returncode == 0, result.stderr + log
    assert "'areas': 8" in result.stdout
    assert str(tmp_path / "portal.sqlite3") in result.stdout
    assert "filesystem://" in log
    assert "succeeded" in log
