"""The safety app's list exports, by feature: each sub-package registers its own
with boligsocial.exports; a worker finds them all through this module."""

from .beredskab import exports as beredskab_exports  # noqa: F401
from .nabohjaelp import exports as nabohjaelp_exports  # noqa: F401
from .walks import exports as walks_exports  # noqa: F401
