"""Meeting materials: the Wagtail collection meeting papers are uploaded to.

Slides, a regulator's documents and our letters go in the "Meeting materials" collection
(created under the root collection by migration 0012) or any collection under it. Wagtail
would serve them to anyone at /documents/<id>/<filename>; the ``before_serve_document`` hook in
liaison/wagtail_hooks.py answers 404 instead unless ``visibility.may_download_material``
allows the reader. Documents in other collections (those attached to policy positions) stay
public.

This module says *which* documents are meeting materials; liaison.visibility says *who* may
download them.

The collection is found by its name, wherever it sits in the tree (a collection named
"Meeting materials" anywhere is protected, with everything under it): renaming it would make
its documents public again.
"""

from functools import reduce
from operator import or_

from django.db.models import Q
from wagtail.models import Collection

NAME = "Meeting materials"


def _root_paths():
    return list(Collection.objects.filter(name=NAME).values_list("path", flat=True))


def materials_collections():
    """The "Meeting materials" collection and every collection under it."""
    paths = _root_paths()
    if not paths:
        return Collection.objects.none()
    return Collection.objects.filter(reduce(or_, (Q(path__startswith=p) for p in paths)))


def is_meeting_material(document):
    """Is ``document`` in the "Meeting materials" collection or a collection under it?"""
    path = Collection.objects.filter(pk=document.collection_id).values_list("path", flat=True)
    path = path.first()
    return path is not None and any(path.startswith(p) for p in _root_paths())


def exclude_materials(documents):
    """``documents`` (a Document queryset) without the meeting materials: for anything that
    lists documents to the public (the documents API)."""
    return documents.exclude(collection__in=materials_collections().values("pk"))
