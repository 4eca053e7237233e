"""English as it is written in Europe: the day before the month (4 Dec 2026,
04/12/2026), as Django's British English has it, not the American month first;
the portal's English readers are in Denmark."""

from django.conf.locale.en_GB.formats import *  # noqa: F403
