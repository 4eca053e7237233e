"""The core's tests erase too (demo data withdraws sign-ups): each journals its
erasures in a file of its own."""

from tests.privacy import deletion_journal  # noqa: F401 - autouse: the test's own
