"""Every named URL of the portal (the admin's too), with its view."""

from django.urls import URLPattern, URLResolver, get_resolver


def views(resolver=None, namespace=""):
    """(URL name, view) of every named URL pattern, namespaces included."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            prefix = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from views(entry, prefix)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry.callback


def methods(view) -> set[str] | None:
    """The HTTP methods a view answers, or None for any: a class-based view's
    handlers; a function view's require_http_methods list (require_GET and
    friends included)."""
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        names = [m for m in view_class.http_method_names if hasattr(view_class, m)]
        return {m.upper() for m in names}
    while view is not None:
        code = getattr(view, "__code__", None)
        if code and "request_method_list" in code.co_freevars:
            cell = view.__closure__[code.co_freevars.index("request_method_list")]
            return set(cell.cell_contents)
        view = getattr(view, "__wrapped__", None)
    return None
