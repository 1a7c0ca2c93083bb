"""Admin side of calendars: an .ics download of any meeting the user may see, and the page
where a staff member makes, rotates and revokes the address of their personal feed.

- ``/admin/calendar/meetings/<pk>.ics``: the meeting as the user may see it (DELEGATION for its
  delegation and the Secretariat, MEMBERS for other permitted viewers); a user without view
  permission gets 403, a meeting they may not see (or none) 404. Linked from the meeting
  listing's "More" menu and from the edit page's action menu.
- ``/admin/calendar-feed/`` (menu item *Calendar feed*): the personal feed. Only a hash of the
  token is stored, so its address is shown once, right after it is made or rotated.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods, require_safe
from wagtail.admin.menu import MenuItem
from wagtail.snippets.action_menu import ActionMenuItem

from liaison import visibility
from liaison.calendars import feeds
from liaison.calendars import ics as ical
from liaison.calendars.models import FeedToken
from liaison.meetings.models import Meeting


def may_have_feed(user):
    """Staff who read meetings in the admin have a personal feed."""
    return visibility.may_view_meetings(user)


@require_safe
def meeting_ics(request, pk):
    user = request.user
    if not visibility.may_view_meetings(user):
        raise PermissionDenied
    meeting = Meeting.objects.visible_to(user).filter(pk=pk).first()
    if meeting is None:
        raise Http404("No such meeting.")
    audience = visibility.audience_for(user, meeting)
    meetings = ical.fetch(Meeting.objects.filter(pk=meeting.pk), audience)
    body = ical.calendar_bytes(meetings, audience, url_for=feeds._member_url)
    return feeds._calendar_response(body, feeds.meeting_filename(meeting), kind="attachment")


def live_token(user):
    return FeedToken.objects.filter(user=user, revoked_at__isnull=True).order_by("-pk").first()


@require_http_methods(["GET", "HEAD", "POST"])
def personal_feed_page(request):
    user = request.user
    if not may_have_feed(user):
        raise PermissionDenied
    urls = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action in ("create", "rotate"):
            raw = feeds.rotate_token(user=user)
            urls = feeds.personal_feed_urls(raw)
        elif action == "revoke":
            for token in FeedToken.objects.filter(user=user, revoked_at__isnull=True):
                feeds.revoke(token)
            return redirect("liaison_calendar_feed")
        else:
            return redirect("liaison_calendar_feed")
    response = TemplateResponse(
        request,
        "liaison/calendar/admin_feed.html",
        {
            "token": live_token(user),
            "https_url": urls[0] if urls else None,
            "webcal_url": urls[1] if urls else None,
            "header_title": "Calendar feed",
            "page_title": "Calendar feed",
            "header_icon": "date",
        },
    )
    # The address is a secret shown once: keep it out of caches and the back button.
    response["Cache-Control"] = "no-store"
    return response


def admin_urls():
    return [
        path("calendar/meetings/<int:pk>.ics", meeting_ics, name="liaison_meeting_ics"),
        path("calendar-feed/", personal_feed_page, name="liaison_calendar_feed"),
    ]


class CalendarFeedMenuItem(MenuItem):
    def is_shown(self, request):
        return may_have_feed(request.user)


class DownloadIcsMenuItem(ActionMenuItem):
    name = "action-download-ics"
    label = "Download .ics"
    icon_name = "download"
    order = 900

    def is_shown(self, context):
        return context.get("view") == "edit" and context.get("instance") is not None

    def get_url(self, parent_context):
        return reverse("liaison_meeting_ics", args=[parent_context["instance"].pk])
