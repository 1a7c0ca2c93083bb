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
its documents public again. A document attached to a meeting (``MeetingMaterial``) for less
than the public stays protected even if someone moves it out of the collection in Wagtail's
documents admin, where the policy roles may change documents in every collection.

Papers are attached in liaison.meetings.materials_admin, which uploads into ``collection()``
and refuses to attach a document from elsewhere for less than the public: anyone could
download it at /documents/.
"""

from functools import reduce
from operator import or_
from urllib.parse import urlencode

from django.db.models import Q
from django.urls import reverse
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


def collection():
    """The collection uploaded papers go in: the "Meeting materials" collection nearest the
    root (there is normally one, made by migration 0012), or None if it was deleted."""
    return Collection.objects.filter(name=NAME).order_by("depth", "path").first()


def _held_back():
    """The documents attached to a meeting for less than the public, as a subquery."""
    from liaison.meetings.models import MeetingMaterial

    return MeetingMaterial.objects.exclude(audience=MeetingMaterial.Audience.PUBLIC).values(
        "document_id"
    )


def in_collection(document):
    """Is ``document`` in the "Meeting materials" collection or a collection under it?"""
    path = Collection.objects.filter(pk=document.collection_id).values_list("path", flat=True)
    path = path.first()
    return path is not None and any(path.startswith(p) for p in _root_paths())


def is_meeting_material(document):
    """Is ``document`` protected: in the "Meeting materials" collection (or under it), or
    attached to a meeting for less than the public wherever it is?"""
    return in_collection(document) or _held_back().filter(document_id=document.pk).exists()


def exclude_materials(documents):
    """``documents`` (a Document queryset) without the meeting materials: for anything that
    lists documents to the public (the documents API)."""
    return documents.exclude(collection__in=materials_collections().values("pk")).exclude(
        pk__in=_held_back()
    )


def listed_documents(user, documents):
    """``documents`` (a Document queryset) without the meeting papers ``user`` may not
    download (liaison.visibility): what the admin's document listing and chooser show. A
    paper no meeting lists yet stays listed to whoever uploaded it."""
    from liaison import visibility
    from liaison.meetings.models import MeetingMaterial

    if visibility.manages_all_meetings(user):
        return documents
    protected = Q(collection__in=materials_collections().values("pk")) | Q(pk__in=_held_back())
    shown = Q(pk__in=visibility.material_documents_readable_by(user))
    if visibility.may_view_meetings(user):
        attached = MeetingMaterial.objects.values("document_id")
        shown |= Q(uploaded_by_user_id=user.pk) & ~Q(pk__in=attached)
    return documents.exclude(protected & ~shown)


def sign_in_url(document):
    """The admin sign-in page, going on to ``document``: a link for staff in an e-mail or a
    briefing. Signed in already, Wagtail's login view goes straight on; not signed in, the
    document itself would answer 404 (visibility.may_download_material)."""
    return f"{reverse('wagtailadmin_login')}?{urlencode({'next': document.url})}"


def shared_with(material):
    """Who may open ``material`` (a MeetingMaterial), in words, as its marking says unless
    it is a confidential item's paper, which stays with the delegation however it is marked
    (visibility.material_shown_to)."""
    from liaison import visibility
    from liaison.meetings.models import MeetingMaterial

    if visibility.material_shown_to(visibility.Audience.INVITEE, material):
        return material.get_audience_display()
    label = MeetingMaterial.Audience.DELEGATION.label
    if material.audience != MeetingMaterial.Audience.DELEGATION:
        label += " (a confidential item's paper)"
    return label


def agenda_order(material):
    """A sort key for papers: those of the whole meeting first, then by agenda item."""
    item = material.agenda_item
    if item is None:
        return (0, 0, 0, material.pk)
    return (1, item.sort_order or 0, item.pk, material.pk)
