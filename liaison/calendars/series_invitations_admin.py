"""Liaison ▸ Series ▸ Send invitations: the page that shows who on a series' delegation holds
its current version, and sends the others the series' invitation
(liaison.calendars.series_invitations)."""

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpResponseForbidden
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path

from liaison import visibility
from liaison.calendars import series_invitations
from liaison.meetings.models import MeetingSeries
from liaison.meetings.series_admin import series_admin_url


def send_view(request, pk):
    """GET: who would receive the series' invitation (this version) and who has it already.
    POST: queue it, once per recipient and version."""
    item = visibility.series_visible_to(request.user).filter(pk=pk).first()
    if item is None:
        raise Http404
    if not visibility.may_manage_series(request.user):
        return HttpResponseForbidden("Only the Secretariat sends invitations for a series.")
    edit_url = series_admin_url(item)
    reason = series_invitations.problem(item)
    if request.method == "POST" and reason is None:
        with transaction.atomic():
            locked = MeetingSeries.objects.select_for_update().get(pk=item.pk)
            if str(locked.sequence) != request.POST.get("sequence"):
                messages.warning(
                    request, "The series changed after you opened this page: nothing was sent."
                )
                return redirect(request.path)
            queued = series_invitations.queue(locked)
        if queued:
            messages.success(
                request, f"{'1 e-mail is' if queued == 1 else f'{queued} e-mails are'} being sent."
            )
        else:
            messages.info(request, "Nothing to send: everyone has this version already.")
        return redirect(edit_url)
    holders = series_invitations.sent_to(item)
    people = [
        (name, email, email.lower() in holders)
        for name, email in series_invitations.recipients(item)
    ]
    return TemplateResponse(
        request,
        "liaison/admin/series_send.html",
        {
            "series": item,
            "problem": reason,
            "people": people,
            "to_send": sum(1 for *_rest, has in people if not has),
            "edit_url": edit_url,
            "rule": item.rule.describe() if item.rule else "",
        },
    )


def admin_urls():
    return [path("series/<int:pk>/send/", send_view, name="liaison_series_send")]
