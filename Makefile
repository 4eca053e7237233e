# Shortcuts; the README's two commands are bin/dev and bin/test.
.PHONY: dev test lint format messages security fuzz faults load clock

dev:
	bin/dev

test:
	bin/test

lint:
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

format:
	.venv/bin/ruff check --fix .
	.venv/bin/ruff format .

# Collect the Danish msgids into the English catalogue, then compile it.
# Translate new entries in locale/en/LC_MESSAGES/django.po before compiling.
messages:
	.venv/bin/python manage.py makemessages -l en --no-obsolete \
		--ignore=.venv --ignore=var --ignore='*/tests/*' --ignore=tests --ignore=conftest.py
	.venv/bin/python manage.py compilemessages --ignore=.venv

# --- Trust checks (README "Security, privacy and reliability checks") --------------
# The fast ones run in bin/test (and so in CI) too; these run them on their own.

# bandit, pip-audit, then the security tests: access matrix, two factors, sessions,
# uploads, redirects, XSS, fuzzing (CI profile), audit rows, log canaries, privacy.
security:
	bin/security-static
	bin/test boligsocial/tests/test_access.py boligsocial/tests/test_auth.py \
		boligsocial/tests/test_auth_log.py boligsocial/tests/test_two_factor.py \
		tests/test_access_matrix.py tests/test_partner_canaries.py \
		tests/test_uploads.py tests/test_redirects_and_hosts.py tests/test_xss.py \
		tests/test_mass_assignment.py tests/test_fuzz_forms.py \
		advice/tests/test_audit.py tests/test_log_canary.py tests/test_retention.py \
		advice/tests/test_suppression_property.py tests/test_backup_restore.py

# The fuzzers with many more examples (slow: not in CI).
fuzz:
	HYPOTHESIS_PROFILE=thorough bin/test tests/test_fuzz_forms.py \
		advice/tests/test_suppression_property.py

# Redis stopped, the worker killed mid-build, concurrent edits and double submits,
# the health endpoint (in CI too); then the database restarted under load (not in CI).
faults:
	bin/test tests/test_report_faults.py tests/test_redis_down.py \
		tests/test_concurrency.py tests/test_health_services.py
	bin/load --db-restart

# gunicorn with the production settings on loopback, Locust for 60 s (not in CI).
load:
	bin/load

# The clock-sensitive tests at each awkward instant (bin/test-clock; slow: not in CI,
# whose bin/test runs the fast part).
clock:
	bin/test-clock
