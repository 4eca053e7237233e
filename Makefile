# Shortcuts; the README's two commands are bin/dev and bin/test.
.PHONY: dev test lint format messages

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
	.venv/bin/python manage.py compilemessages -l en --ignore=.venv
