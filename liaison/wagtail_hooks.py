"""Everything liaison adds to the Wagtail admin, in one place: the Liaison menu (meetings,
regulators, organisations, contacts), the action register, invitations and calendar
subscribers, admin URLs, dashboard panels, menu items and buttons, the guards against deletes
that would rewrite meeting history, the meetings shown on the public site's pages, and the
check before a meeting material (a document) is served.

The views and viewsets live with their part: liaison.meetings.admin, liaison.calendars.*_admin,
liaison.briefings.admin.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from wagtail import hooks
from wagtail.admin.widgets import ListingButton
from wagtail.documents import get_document_model
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSetGroup

from liaison import visibility
from liaison.asks import admin as asks_admin
from liaison.asks import events as ask_events
from liaison.asks import protection as ask_protection
from liaison.asks import views as asks_views
from liaison.asks.models import Ask
from liaison.briefings import admin as briefings_admin
from liaison.calendars import (
    feeds_admin,
    invitations,
    invitations_admin,
    series_invitations_admin,
    subscribers_admin,
)
from liaison.meetings import admin as meetings_admin
from liaison.meetings import dashboard, materials, materials_admin, series_admin, views
from liaison.meetings.checks import meeting_warnings
from liaison.meetings.models import ActionItem, Meeting, MeetingSeries
from liaison.meetings.protection import dependants, page_dependants
from liaison.models import InviteDelivery

# --- who may see what: Wagtail asks these policies (liaison.visibility answers) -------------

register_permission_policy(Meeting, meetings_admin.meeting_policy)
register_permission_policy(ActionItem, meetings_admin.action_policy)
register_permission_policy(MeetingSeries, series_admin.series_policy)
register_permission_policy(Ask, asks_admin.ask_policy)
register_permission_policy(InviteDelivery, invitations_admin.delivery_policy)


@hooks.register("register_log_actions")
def keep_meeting_history_with_the_meetings(actions):
    """History entries of meetings and actions carry their titles: they go in a log of their
    own that shows each entry only to those who may see its meeting (the Site history
    report filters other logs by model permission alone)."""
    from liaison.meetings.models import LiaisonLogEntry

    actions.register_model(Meeting, LiaisonLogEntry)
    actions.register_model(ActionItem, LiaisonLogEntry)


# --- menus and viewsets -------------------------------------------------------------------


class MeetingPageView(meetings_admin.admin_views.MeetingPageView):
    sections = (
        asks_admin.meeting_section,
        invitations_admin.page_section,
        briefings_admin.page_section,
    )


class MeetingViewSet(meetings_admin.MeetingViewSet):
    inspect_view_class = MeetingPageView


class RegulatorPageView(meetings_admin.admin_views.DirectoryInspectView):
    sections = (asks_admin.regulator_section,)


class RegulatorViewSet(meetings_admin.RegulatorViewSet):
    inspect_view_class = RegulatorPageView


class LiaisonGroup(SnippetViewSetGroup):
    items = (
        MeetingViewSet,
        series_admin.SeriesViewSet,
        asks_admin.AskViewSet,
        RegulatorViewSet,
        meetings_admin.OrganisationViewSet,
        meetings_admin.ContactViewSet,
    )
    menu_label = "Liaison"
    menu_icon = "date"
    menu_name = "liaison"
    menu_order = 200


register_snippet(LiaisonGroup)


@hooks.register("register_admin_viewset")
def register_action_register():
    return meetings_admin.ActionItemViewSet("actions")


@hooks.register("register_admin_viewset")
def register_invitation_log():
    return invitations_admin.InviteDeliveryViewSet(
        invitations_admin.URL_NAMESPACE, url_prefix="invitations"
    )


@hooks.register("register_admin_viewset")
def register_subscribers():
    return subscribers_admin.SubscriberViewSet("subscribers")


@hooks.register("register_admin_urls")
def register_liaison_admin_urls():
    return [
        *feeds_admin.admin_urls(),
        *briefings_admin.admin_urls(),
        *materials_admin.admin_urls(),
        *series_invitations_admin.admin_urls(),
        *asks_admin.admin_urls(),
    ]


@hooks.register("register_admin_menu_item")
def register_calendar_feed_menu_item():
    return feeds_admin.CalendarFeedMenuItem(
        "Calendar feed",
        reverse("liaison_calendar_feed"),
        name="calendar-feed",
        icon_name="date",
        order=220,
    )


@hooks.register("register_snippet_listing_buttons")
def meeting_download_button(snippet, user, next_url=None):
    # Rows of the listing are meetings the user may see (the viewset filters them).
    if isinstance(snippet, Meeting):
        yield ListingButton(
            "Download .ics",
            reverse("liaison_meeting_ics", args=[snippet.pk]),
            icon_name="download",
            priority=90,
        )
    if (
        isinstance(snippet, MeetingSeries)
        and snippet.has_rule
        and visibility.may_manage_series(user)
    ):
        yield ListingButton(
            "Send invitations",
            reverse("liaison_series_send", args=[snippet.pk]),
            icon_name="mail",
            priority=80,
        )


@hooks.register("register_snippet_action_menu_item")
def meeting_download_menu_item(model):
    return feeds_admin.DownloadIcsMenuItem() if model is Meeting else None


@hooks.register("construct_homepage_panels")
def add_liaison_panels(request, panels):
    panels.extend(dashboard.panels_for(request))


# --- the public site ------------------------------------------------------------------------


@hooks.register("advocacy_page_sections")
def meetings_on_public_pages(request, page, place):
    """Meetings on advocacy's pages (advocacy asks through this hook; it never imports us):
    where a position was raised, and the next public meetings on the home page."""
    if place == "position-page":
        return views.meetings_raising(request, page)
    if place == "home-page":
        return views.upcoming_meetings(request)
    return ""


@hooks.register("liaison_public_regulator_sections")
def asks_on_public_regulator_pages(request, regulator, key):
    """A publicly listed regulator's page shows the open public asks put to it."""
    return asks_views.regulator_section(request, regulator, key)


# --- meeting materials: documents served only to those who may read them --------------------


# Wagtail's document listing and chooser leave out other meetings' papers. For the exact
# class: wagtail.documents registers its own policy for the class and its subclasses when its
# app is ready, which may come after this module is imported; the exact match wins.
register_permission_policy(
    get_document_model(), materials_admin.document_policy(), exact_class=True
)


@hooks.register("advocacy_public_documents")
def no_meeting_papers_in_public_lists(documents):
    """The public documents API (advocacy asks through this hook) never lists meeting papers."""
    return materials.exclude_materials(documents)


@hooks.register("before_serve_document", order=-100)
def hide_meeting_materials(document, request):
    """A meeting material (liaison.meetings.materials) the reader may not download answers 404,
    exactly as an unknown document id does: a 403 or a login redirect would confirm that the
    paper exists. The rule is visibility.may_download_material. Runs before Wagtail's own
    collection privacy check (order), so that check never redirects to the login page first."""
    if materials.is_meeting_material(document) and not visibility.may_download_material(
        request.user, document
    ):
        raise Http404


# --- after saving, before deleting -----------------------------------------------------------


@hooks.register("after_create_snippet")
@hooks.register("after_edit_snippet")
def warn_about_the_meeting(request, instance):
    """Saving is never blocked by these; the user is told at once, and the meeting form
    shows the same warnings at its top. A meeting that has taken place brings the ledger up
    to date: its asks raised there, the answers written against them."""
    if isinstance(instance, Meeting):
        recorded = ask_events.sync_meeting(instance, request.user)
        if recorded:
            asks = sorted({event.ask.reference for event in recorded})
            messages.info(request, f"Recorded in the asks ledger: {', '.join(asks)}.")
        for warning in meeting_warnings(instance, timezone.localdate()):
            messages.warning(request, f"{instance}: {warning}")


def _why_not_delete(instance):
    if isinstance(instance, Meeting):
        return invitations.invited_meeting(instance) or ask_protection.dependants(instance)
    return dependants(instance) or ask_protection.dependants(instance)


@hooks.register("before_delete_snippet")
def refuse_to_delete_what_meetings_use(request, instances):
    reasons = [reason for reason in map(_why_not_delete, instances) if reason]
    if reasons:
        for reason in reasons[:5]:
            messages.error(request, reason)
        meta = instances[0]._meta
        return redirect(reverse(f"wagtailsnippets_{meta.app_label}_{meta.model_name}:list"))
    return None


@hooks.register("before_delete_page")
def refuse_to_delete_cited_positions(request, page):
    reason = page_dependants(page) or ask_protection.dependants(page.specific)
    if reason:
        messages.error(request, reason)
        return redirect("wagtailadmin_explore", page.get_parent().pk)
    return None


@hooks.register("before_bulk_action")
def refuse_to_bulk_delete_cited_positions(request, action_type, objects, action_class_instance):
    if action_type != "delete":
        return None
    from wagtail.models import Page

    reasons = [
        page_dependants(obj) or ask_protection.dependants(obj.specific)
        for obj in objects
        if isinstance(obj, Page)
    ]
    reasons = [r for r in reasons if r]
    if reasons:
        for reason in reasons[:5]:
            messages.error(request, reason)
        return redirect("wagtailadmin_explore", objects[0].get_parent().pk)
    return None


@hooks.register("before_delete_user")
def refuse_to_delete_users_with_meeting_history(request, user):
    owned = ActionItem.objects.filter(owner=user).count()
    meetings = Meeting.objects.filter(delegation=user).count()
    if owned or meetings:
        messages.error(
            request,
            f"{user.get_username()} owns {owned} action(s) and was on {meetings} delegation(s); "
            "deleting the account would rewrite meeting history. Deactivate it instead.",
        )
        return redirect("wagtailusers_users:edit", user.pk)
    return None
