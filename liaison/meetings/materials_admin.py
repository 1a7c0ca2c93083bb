"""Meeting materials in the admin: attach a paper to a meeting or to one of its agenda items
(upload a file, or choose a document already in Wagtail), change who it is shared with or
which item it belongs to, and detach it. Plain Django views in Wagtail's admin templates:

- ``/admin/liaison/meetings/<pk>/materials/add/`` (``?agenda_item=<pk>&next=<path>``)
- ``/admin/liaison/materials/<pk>/edit/`` (``?next=<path>``)
- ``/admin/liaison/materials/<pk>/detach/`` (``?next=<path>``): GET asks, POST detaches.

Who may is ``may_attach``. A meeting (or a paper) the user may not see answers 404, as an
unknown one does; one they see but may not change, 403. Who then sees a paper is
liaison.visibility's ``material_shown_to``; which documents are protected at /documents/ is
liaison.meetings.materials'.

Uploads go into the "Meeting materials" collection, where only those the paper is shared
with may download it. A document from another collection is downloadable by anyone at
/documents/, so it can only be attached as public: the form says so and suggests uploading
the file here instead.
"""

import functools
import os
import unicodedata

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.validators import FileExtensionValidator
from django.db import IntegrityError, transaction
from django.http import Http404, HttpResponseForbidden
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_http_methods
from wagtail.documents import get_document_model
from wagtail.documents.fields import WagtailDocumentField
from wagtail.documents.widgets import AdminDocumentChooser
from wagtail.permission_policies.collections import CollectionOwnershipPermissionPolicy
from wagtail.permissions import policy_registry
from wagtail.search import index as search_index

from cms.validators import refuse_control_characters, storable_id
from liaison import visibility
from liaison.meetings import materials
from liaison.meetings.models import Meeting, MeetingMaterial

Shared = MeetingMaterial.Audience

# The audience choices in plain words: who can open the paper.
AUDIENCE_CHOICES = [
    (Shared.DELEGATION, "The delegation only: its members and the Secretariat."),
    (
        Shared.INVITEES,
        "Invitees too: the external attendees, through the links in their invitation, and "
        "staff who may see the meeting.",
    ),
    (
        Shared.PUBLIC,
        "Public: anyone. Listed on the public meeting page when the meeting is public.",
    ),
]
AUDIENCE_HELP = (
    "The papers of a confidential agenda item stay with the delegation, whatever you choose."
)
# How far a paper reaches, to compare two attachments of one document.
REACH = {Shared.DELEGATION: 0, Shared.INVITEES: 1, Shared.PUBLIC: 2}


def _document_policy():
    return policy_registry.get_by_type(get_document_model())


# --- who may, and where ------------------------------------------------------------------------


def may_attach(user, meeting):
    """May ``user`` attach, change and detach the papers of ``meeting``?

    Those who may change the meeting (its delegation and the Secretariat:
    ``visibility.may_change_meeting``) and who handle meeting papers in Wagtail at all (any
    of add, choose on the "Meeting materials" collection). Delegates have only "choose" there
    (migration 0012), yet may upload through these views: Wagtail's own upload would let them
    put a file in any collection, public ones too, while these views save only into the
    protected collection, attached to a meeting they prepare, shared as they choose."""
    if not visibility.may_change_meeting(user, meeting):
        return False
    home = materials.collection()
    if home is None:
        return False
    allowed = _document_policy().collections_user_has_any_permission_for(user, ["add", "choose"])
    return allowed.filter(pk=home.pk).exists()


def _with_next(url, next_url):
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def add_url(meeting, agenda_item=None, next_url=None):
    """The page that attaches a paper to ``meeting`` (to ``agenda_item`` preselected), going
    back to ``next_url`` afterwards."""
    url = reverse("liaison_material_add", args=[meeting.pk])
    query = {}
    if agenda_item is not None:
        query["agenda_item"] = agenda_item.pk
    if next_url:
        query["next"] = next_url
    return f"{url}?{urlencode(query)}" if query else url


def edit_url(material, next_url=None):
    return _with_next(reverse("liaison_material_edit", args=[material.pk]), next_url)


def detach_url(material, next_url=None):
    return _with_next(reverse("liaison_material_detach", args=[material.pk]), next_url)


def meeting_page(meeting):
    return reverse("wagtailsnippets_liaison_meeting:inspect", args=[meeting.pk])


def _next(request):
    """The local path to go back to (``next``), or None: never another site."""
    value = request.POST.get("next") or request.GET.get("next") or ""
    if value.startswith("/") and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return None


class Forbidden(Exception):
    """The user sees the meeting but may not change its papers: a 403. (Wagtail's admin
    turns PermissionDenied into a redirect to the dashboard, which would hide the answer.)"""


def forbidden_as_403(view):
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except Forbidden:
            return HttpResponseForbidden("You may not change the papers of this meeting.")

    return wrapped


def _meeting(request, meeting_id):
    """The meeting, if the user may see it (else 404) and attach papers to it (else 403)."""
    pk = storable_id(meeting_id)
    meeting = Meeting.objects.visible_to(request.user).filter(pk=pk).first() if pk else None
    if meeting is None:
        raise Http404("No such meeting.")
    if not may_attach(request.user, meeting):
        raise Forbidden
    return meeting


def _material(request, material_id):
    """The paper, if the user is shown it (else 404) and may change its meeting's papers
    (else 403)."""
    pk = storable_id(material_id)
    material = (
        MeetingMaterial.objects.select_related("meeting", "agenda_item", "document")
        .filter(pk=pk, meeting__in=Meeting.objects.visible_to(request.user).values("pk"))
        .first()
        if pk
        else None
    )
    if material is None or not visibility.material_shown_to(
        visibility.audience_for(request.user, material.meeting), material
    ):
        raise Http404("No such paper.")
    if not may_attach(request.user, material.meeting):
        raise Forbidden
    return material


# --- forms ---------------------------------------------------------------------------------------


def _reach(material):
    """How far ``material`` reaches (REACH): a confidential item's paper reaches only the
    delegation, whatever it is marked (visibility.material_shown_to decides that)."""
    if not visibility.material_shown_to(visibility.Audience.INVITEE, material):
        return REACH[Shared.DELEGATION]
    return REACH[material.audience]


class MaterialForm(forms.Form):
    """Where a paper goes (the meeting or one of its items) and who it is shared with."""

    agenda_item = forms.ModelChoiceField(
        queryset=None,
        required=False,
        empty_label="The whole meeting",
        label="Agenda item",
    )
    audience = forms.ChoiceField(
        label="Shared with",
        choices=AUDIENCE_CHOICES,
        initial=Shared.DELEGATION,
        widget=forms.RadioSelect,
        help_text=AUDIENCE_HELP,
    )

    def __init__(self, *args, meeting, user, material=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.meeting, self.user, self.material = meeting, user, material
        self.fields["agenda_item"].queryset = meeting.agenda_items.order_by("sort_order", "pk")
        self.fields["agenda_item"].label_from_instance = lambda item: (
            f"{item.title} (confidential)" if item.confidential else item.title
        )

    def check_document(self, document):
        """Errors about attaching ``document`` where and as the form says."""
        item, audience = self.cleaned_data.get("agenda_item"), self.cleaned_data.get("audience")
        if audience is None:
            return
        if audience != Shared.PUBLIC and not materials.in_collection(document):
            self.add_error(
                "audience",
                f"“{document.title}” is not in the “{materials.NAME}” collection, so anyone "
                "can download it at /documents/: it can only be shared as public here. To "
                "share it with fewer people, upload the file on this page instead; uploads "
                "are kept in the protected collection.",
            )
            return
        others = document.meeting_uses.select_related("meeting", "agenda_item")
        if self.material is not None:
            others = others.exclude(pk=self.material.pk)
        others = list(others)
        here = MeetingMaterial(meeting=self.meeting, agenda_item=item, audience=audience)
        place = (self.meeting.pk, item.pk if item else None)
        if any((o.meeting_id, o.agenda_item_id) == place for o in others):
            where = f"“{item.title}”" if item else "this meeting"
            self.add_error(None, f"“{document.title}” is already attached to {where}.")
        elif others and _reach(here) > min(_reach(o) for o in others):
            # One file, one decision: attaching it here must not share it more widely than
            # where it is attached already (a confidential item's paper, say).
            self.add_error(
                "audience",
                f"“{document.title}” is shared with fewer people where it is attached "
                "already. Share it here with no more people than there, or upload a copy "
                "if it really is meant for a wider audience.",
            )


class StorableChoiceField(forms.ModelChoiceField):
    """An id too large for the database is an invalid choice, like "abc"."""

    def to_python(self, value):
        if value not in self.empty_values and storable_id(value) is None:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return super().to_python(value)


class AttachForm(MaterialForm):
    """Attach a paper: upload a file, or choose a document already in Wagtail."""

    file = WagtailDocumentField(
        label="Upload a file",
        required=False,
        validators=[FileExtensionValidator(getattr(settings, "WAGTAILDOCS_EXTENSIONS", None))],
    )
    title = forms.CharField(
        max_length=255,
        required=False,
        validators=[refuse_control_characters],
        help_text="Leave empty to use the file's name.",
    )
    document = StorableChoiceField(
        label="Or choose a document",
        queryset=get_document_model().objects.all(),
        required=False,
        widget=AdminDocumentChooser,
        help_text=f"A document already in Wagtail. Those outside the “{materials.NAME}” "
        "collection can be downloaded by anyone, so they can only be shared as public.",
    )
    field_order = ["file", "title", "document", "agenda_item", "audience"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = (
            f"Saved in the protected “{materials.NAME}” collection. "
            + self.fields["file"].help_text
        ).strip()

    def clean(self):
        cleaned = super().clean()
        upload, document = cleaned.get("file"), cleaned.get("document")
        if "file" in self.errors or "document" in self.errors:
            return cleaned
        if upload and document:
            self.add_error(None, "Upload a file or choose a document, not both.")
        elif not upload and not document:
            self.add_error(None, "Upload a file or choose a document.")
        elif upload and materials.collection() is None:
            self.add_error(
                None,
                f"The “{materials.NAME}” collection is missing, so the file could not be kept "
                "safe. Ask an administrator to create it.",
            )
        elif document:
            if not self._may_use(document):
                self.add_error("document", "You may not use this document.")
            else:
                self.check_document(document)
        return cleaned

    def _may_use(self, document):
        """Wagtail lets the user choose it, and if it is a meeting paper they may open it:
        choosing a paper of a meeting one may not see must not bring it here."""
        if not _document_policy().user_has_any_permission_for_instance(
            self.user, ["choose", "change"], document
        ):
            return False
        if materials.is_meeting_material(document):
            return visibility.may_download_material(self.user, document)
        return True

    def save(self):
        """The new MeetingMaterial, with its uploaded document if a file was given."""
        document = self.cleaned_data["document"]
        with transaction.atomic():
            if document is None:
                document = self._upload()
            return MeetingMaterial.objects.create(
                meeting=self.meeting,
                agenda_item=self.cleaned_data["agenda_item"],
                document=document,
                audience=self.cleaned_data["audience"],
                added_by=self.user,
            )

    def _upload(self):
        upload = self.cleaned_data["file"]
        title = self.cleaned_data["title"].strip() or _title_from(upload.name)
        document = get_document_model()(
            title=title,
            file=upload,
            collection=materials.collection(),
            uploaded_by_user=self.user,
        )
        document._set_document_file_metadata()  # size and hash, as Wagtail's upload does
        document.save()
        search_index.insert_or_update_object(document)
        return document


def _title_from(filename):
    """The title of an upload named ``filename``: "potency-matrix_v2.pdf" gives "potency
    matrix v2", without the invisible characters (controls, bidirectional overrides) a file
    name can carry."""
    stem = os.path.splitext(os.path.basename(filename))[0]
    stem = "".join(c for c in stem if not unicodedata.category(c).startswith("C"))
    return " ".join(stem.replace("_", " ").replace("-", " ").split())[:255] or "Untitled"


class ChangeForm(MaterialForm):
    """Move a paper to another item of its meeting, or share it differently."""

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            self.check_document(self.material.document)
        return cleaned

    def save(self):
        material = self.material
        material.agenda_item = self.cleaned_data["agenda_item"]
        material.audience = self.cleaned_data["audience"]
        material.save(update_fields=["agenda_item", "audience"])
        return material


# --- views ---------------------------------------------------------------------------------------


def _form_page(request, form, meeting, *, title, action_url, back, material=None):
    return TemplateResponse(
        request,
        "liaison/admin/material_form.html",
        {
            "form": form,
            "media": form.media,
            "meeting": meeting,
            "material": material,
            "page_title": title,
            "header_title": title,
            "page_subtitle": meeting.title,
            "header_icon": "doc-full",
            "action_url": action_url,
            "submit_button_label": "Save",
            "submit_button_active_label": "Saving…",
            "back_url": back,
            "next": _next(request) or "",
            "detach_url": detach_url(material, _next(request)) if material else "",
            "collection_name": materials.NAME,
        },
    )


def _saved(request, form):
    """Save the form; a form error instead if a concurrent attach got there first."""
    try:
        return form.save()
    except IntegrityError:
        form.add_error(None, "This paper is already attached there.")
        return None


@require_http_methods(["GET", "HEAD", "POST"])
@forbidden_as_403
def add(request, meeting_id):
    meeting = _meeting(request, meeting_id)
    back = _next(request) or meeting_page(meeting)
    if request.method == "POST":
        form = AttachForm(request.POST, request.FILES, meeting=meeting, user=request.user)
        if form.is_valid() and (material := _saved(request, form)):
            messages.success(request, f"“{material.document.title}” is attached.")
            return redirect(back)
    else:
        item = storable_id(request.GET.get("agenda_item", ""))
        item = meeting.agenda_items.filter(pk=item).first() if item else None
        form = AttachForm(initial={"agenda_item": item}, meeting=meeting, user=request.user)
    return _form_page(
        request,
        form,
        meeting,
        title="Attach a paper",
        action_url=add_url(meeting, next_url=_next(request)),
        back=back,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@forbidden_as_403
def edit(request, material_id):
    material = _material(request, material_id)
    meeting = material.meeting
    back = _next(request) or meeting_page(meeting)
    kwargs = {"meeting": meeting, "user": request.user, "material": material}
    if request.method == "POST":
        form = ChangeForm(request.POST, **kwargs)
        if form.is_valid() and _saved(request, form):
            messages.success(request, f"“{material.document.title}” is saved.")
            return redirect(back)
    else:
        form = ChangeForm(
            initial={"agenda_item": material.agenda_item, "audience": material.audience},
            **kwargs,
        )
    return _form_page(
        request,
        form,
        meeting,
        title=f"Paper: {material.document.title}",
        action_url=edit_url(material, _next(request)),
        back=back,
        material=material,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@forbidden_as_403
def detach(request, material_id):
    """Take a paper off the meeting (after a confirmation). The document itself stays in
    Wagtail: it may be attached elsewhere, and papers are part of the meeting's history."""
    material = _material(request, material_id)
    back = _next(request) or meeting_page(material.meeting)
    if request.method == "POST":
        material.delete()
        messages.success(request, f"“{material.document.title}” is no longer attached.")
        return redirect(back)
    return TemplateResponse(
        request,
        "liaison/admin/material_detach.html",
        {
            "material": material,
            "meeting": material.meeting,
            "page_title": "Detach a paper",
            "header_title": "Detach a paper",
            "page_subtitle": material.meeting.title,
            "header_icon": "doc-full",
            "action_url": detach_url(material, _next(request)),
            "back_url": back,
        },
    )


def admin_urls():
    return [
        path(
            "liaison/meetings/<str:meeting_id>/materials/add/",
            add,
            name="liaison_material_add",
        ),
        path("liaison/materials/<str:material_id>/edit/", edit, name="liaison_material_edit"),
        path(
            "liaison/materials/<str:material_id>/detach/",
            detach,
            name="liaison_material_detach",
        ),
    ]


# --- the admin's own document listing and chooser --------------------------------------------


class DocumentPolicy(CollectionOwnershipPermissionPolicy):
    """Wagtail's document permissions, less the meeting papers a user may not download: the
    Documents listing, the document chooser and the edit, delete and usage views neither
    list nor open another meeting's papers (a confidential meeting's paper titles included),
    whatever the user's permissions on their collection (the policy roles may change
    documents in every collection). Registered in liaison/wagtail_hooks.py."""

    def instances_user_has_any_permission_for(self, user, actions):
        found = super().instances_user_has_any_permission_for(user, actions)
        return materials.listed_documents(user, found)

    def instances_user_has_permission_for(self, user, action):
        return materials.listed_documents(
            user, super().instances_user_has_permission_for(user, action)
        )

    def user_has_permission_for_instance(self, user, action, instance):
        if not super().user_has_permission_for_instance(user, action, instance):
            return False
        return materials.listed_documents(
            user, type(instance).objects.filter(pk=instance.pk)
        ).exists()


def document_policy():
    from wagtail.documents import get_document_model_string

    return DocumentPolicy(
        get_document_model_string(),
        auth_model="wagtaildocs.Document",
        owner_field_name="uploaded_by_user",
    )
