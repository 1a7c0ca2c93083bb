"""Wagtail's database search backend, with every typed query reduced to plain words.

SQLite FTS5 and PostgreSQL tsquery have query syntax of their own: a lone quote or a
"<" typed into any search box (public search, admin listings, choosers) was a database
error and a 500. Cleaning here, once, covers every search in the site and the admin.
Configured in settings as WAGTAILSEARCH_BACKENDS["default"]["BACKEND"].
"""

from modelsearch.backends.database import SearchBackend as database_backend
from modelsearch.query import MATCH_NONE

from advocacy.filters import clean_search_query


def clean(query):
    if not isinstance(query, str):
        return query  # Query objects built in code (Phrase, PlainText…) are trusted.
    return clean_search_query(query) or MATCH_NONE


def SearchBackend(params):
    backend = database_backend(params)
    search, autocomplete = backend.search, backend.autocomplete

    def clean_search(query, *args, **kwargs):
        return search(clean(query), *args, **kwargs)

    def clean_autocomplete(query, *args, **kwargs):
        return autocomplete(clean(query), *args, **kwargs)

    backend.search, backend.autocomplete = clean_search, clean_autocomplete
    return backend
