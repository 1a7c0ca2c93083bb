"""Briefings in the admin: generate one (queued for the worker), follow its status on the
meeting form, download it as Word or, once the worker has converted it, as PDF. Every
download is permission-checked; files have no public URL.

Who may use which briefing is liaison.visibility's ``may_read_briefing``: a delegate briefing,
and the record of a meeting with confidential content, for the delegation and the Secretariat;
the others for whoever may see the meeting.
"""

import io
import logging

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.views.decorators.http import require_POST
from django_q.tasks import async_task

from liaison import visibility
from liaison.briefings import document
from liaison.briefings.document import download_filename
from liaison.briefings.models import Briefing
from liaison.meetings.models import Meeting

logger = logging.getLogger(__name__)


def reader_zone(user):
    """The zone the reader chose in their Wagtail account settings, if any."""
    profile = getattr(user, "wagtail_userprofile", None) if user else None
    return getattr(profile, "current_time_zone", "") or None


def may_use(user, meeting, audience):
    """May `user` generate and download the `audience` briefing of `meeting`?"""
    return visibility.may_read_briefing(user, meeting, audience)


def briefings_for(user, meeting):
    """The latest briefing of each audience the user may use, and the audiences on offer."""
    allowed = [a for a in Briefing.Audience if may_use(user, meeting, a)]
    latest = {}
    for briefing in meeting.briefings.filter(audience__in=allowed).select_related("meeting"):
        latest.setdefault(briefing.audience, briefing)
    return allowed, [latest[a] for a in allowed if a in latest]


@require_POST
def generate(request, meeting_id):
    # A meeting the user may not see answers 404, as an unknown one does.
    meeting = get_object_or_404(Meeting.objects.visible_to(request.user), pk=meeting_id)
    audience = request.POST.get("briefing_audience", "")
    if audience not in Briefing.Audience.values:
        messages.error(request, "Choose a delegate briefing, a pre-read or a record.")
    elif not (
        request.user.has_perm("liaison.add_briefing") and may_use(request.user, meeting, audience)
    ):
        raise PermissionDenied
    else:
        with transaction.atomic():
            briefing = Briefing.objects.create(
                meeting=meeting, audience=audience, requested_by=request.user
            )
            transaction.on_commit(
                lambda: async_task("liaison.tasks.generate_briefing", briefing.pk)
            )
        messages.success(
            request,
            f"{briefing.get_audience_display()} queued. It appears under Briefings when ready.",
        )
    return redirect(
        reverse("wagtailsnippets_liaison_meeting:inspect", args=[meeting.pk]) + "#briefings"
    )


def download(request, briefing_id):
    briefing = get_object_or_404(Briefing.objects.select_related("meeting"), pk=briefing_id)
    if not may_use(request.user, briefing.meeting, briefing.audience):
        raise Http404
    if briefing.status != Briefing.Status.READY or not briefing.file:
        raise Http404
    try:
        with briefing.file.open("rb") as handle:
            body = handle.read()
    except OSError:
        logger.error("Briefing %s: its file %s cannot be read", briefing.pk, briefing.file.name)
        raise Http404("The file of this briefing is missing; generate it again.") from None
    if briefing.audience != Briefing.Audience.PRE_READ:
        # The stored copy shows the delegation's zones; this reader also gets their own time.
        # A pre-read is for passing on, so it stays the shared copy.
        body = document.for_reader(body, briefing.meeting, reader_zone(request.user))
    response = FileResponse(
        io.BytesIO(body),
        as_attachment=True,
        filename=download_filename(briefing.meeting, briefing.audience),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def download_pdf(request, briefing_id):
    """The PDF LibreOffice made of a briefing's Word file (liaison.tasks.convert_briefing_pdf):
    the same checks as ``download``, and a 404 until the PDF is ready."""
    briefing = get_object_or_404(Briefing.objects.select_related("meeting"), pk=briefing_id)
    if not may_use(request.user, briefing.meeting, briefing.audience):
        raise Http404
    if (
        briefing.status != Briefing.Status.READY
        or briefing.pdf_status != Briefing.PdfStatus.READY
        or not briefing.pdf
    ):
        raise Http404
    try:
        handle = briefing.pdf.open("rb")
    except OSError:
        logger.error("Briefing %s: its PDF %s cannot be read", briefing.pk, briefing.pdf.name)
        raise Http404("The PDF of this briefing is missing; generate it again.") from None
    name = download_filename(briefing.meeting, briefing.audience)
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=name.removesuffix(".docx") + ".pdf",
        content_type="application/pdf",
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def admin_urls():
    return [
        path(
            "liaison/meetings/<int:meeting_id>/briefings/",
            generate,
            name="liaison_generate_briefing",
        ),
        path(
            "liaison/briefings/<int:briefing_id>/download/",
            download,
            name="liaison_download_briefing",
        ),
        path(
            "liaison/briefings/<int:briefing_id>/download.pdf",
            download_pdf,
            name="liaison_download_briefing_pdf",
        ),
    ]


def page_section(request, meeting, audience):
    """The Briefings section of the meeting page: generate one, follow its status, download
    it (the briefings the reader may use)."""
    audiences, briefings = briefings_for(request.user, meeting)
    if not audiences:
        return None
    html = render_to_string(
        "liaison/admin/briefings_panel.html",
        {
            "meeting": meeting,
            "audiences": audiences if request.user.has_perm("liaison.add_briefing") else [],
            "briefings": briefings,
        },
        request=request,
    )
    return "briefings", "Briefings", html
