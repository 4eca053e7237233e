# syntax=docker/dockerfile:1
# The BoligSocialt Hus portal: one image for the web (gunicorn), the Celery worker
# and Celery beat. docker-compose.yml runs it; the README explains the settings.

FROM python:3.11-slim-bookworm

# WEB_CONCURRENCY is gunicorn's default number of workers. The usual 2 × cores + 1
# would be 5 on two cores, but the Celery worker (which renders the PDFs), beat,
# PostgreSQL and Redis share those cores, so 3; set it in .env to change it.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    WEB_CONCURRENCY=3

# WeasyPrint's documented run-time libraries for Debian ≥ 11 when it is installed
# from wheels (Pango, PangoFT2 and HarfBuzz-subset; GObject, HarfBuzz and
# fontconfig come as their dependencies), and fonts that carry æ, ø and å;
# postgresql-client (15 on bookworm) gives `manage.py backup`/`restore` pg_dump and
# pg_restore.
# No compilers: every Python dependency installs from a wheel.
RUN apt-get update \
    && apt-get install --yes --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz-subset0 \
        fonts-dejavu-core \
        fonts-liberation2 \
        postgresql-client \
    && rm -rf /var/lib/apt/lists/*

# The portal runs as an unprivileged user; it owns only what it writes:
# uploaded media, the Celery beat schedule and the deletion journal (named volumes
# in compose).
RUN groupadd --system --gid 1000 portal \
    && useradd --system --uid 1000 --gid portal --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin portal

WORKDIR /app

# Dependencies first, in their own layer, so a code change does not reinstall them:
# with only pyproject.toml present the project has no packages, and pip installs
# just its dependencies. The constraint pins setuptools below 81 for the xstatic
# sdists, whose setup.py imports pkg_resources.
COPY pyproject.toml README.md ./
COPY .ci/build-constraints.txt .ci/build-constraints.txt
RUN PIP_CONSTRAINT=.ci/build-constraints.txt pip install . \
    && rm -rf build ./*.egg-info

# Then the project itself, installed in place (editable): settings find templates,
# static files and translations next to the code, under /app.
COPY . .
RUN PIP_CONSTRAINT=.ci/build-constraints.txt pip install --no-deps --editable . \
    && python -m compileall -q .

# Static files are collected into the image (whitenoise serves them). Production
# settings are needed for the hashed, compressed manifest storage, so the required
# settings get harmless build-only values here; they exist only for this command
# and are not kept in the image. FILE_UPLOAD_PERMISSIONS (0o640) applies to
# collected files too, and root owns them: make them readable by the portal user
# (but not writable).
RUN PORTAL_ENVIRONMENT=production \
    DJANGO_SECRET_KEY=build-time-only-collectstatic-placeholder-not-a-secret-0123456789 \
    DJANGO_ALLOWED_HOSTS=build.invalid \
    DATABASE_URL=postgres://build:build@build.invalid/build \
    EMAIL_URL=smtp://build.invalid:25 \
    CELERY_BROKER_URL=redis://build.invalid:6379/0 \
    CACHE_URL=redis://build.invalid:6379/1 \
    PORTAL_URL=https://build.invalid \
    PORTAL_CONTACT_EMAIL=build@build.invalid \
    python manage.py collectstatic --noinput \
    && chmod -R a+rX /app/var/static \
    && mkdir -p /app/var/media /app/var/celery /app/var/journal \
    && chown portal:portal /app/var/media /app/var/celery /app/var/journal

USER portal

EXPOSE 8000

# TLS ends at a reverse proxy in front; gunicorn listens on plain HTTP.
CMD ["gunicorn", "boligsocial.wsgi", \
     "--bind", "0.0.0.0:8000", \
     "--worker-tmp-dir", "/dev/shm", \
     "--timeout", "60", \
     "--max-requests", "1000", "--max-requests-jitter", "100", \
     "--access-logfile", "-"]
