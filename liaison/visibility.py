"""Who may see, change and receive what in liaison: the one place that decides.

The rule, in full:

- **The Secretariat** (permission ``liaison.change_any_meeting``) and superusers see and change
  every meeting and every action.
- **Everyone else** needs ``liaison.view_meeting`` to see meetings at all. They see public and
  members-only meetings; a **confidential** meeting only when they are on its delegation.
- A meeting is **changed** by its delegation (and the Secretariat).
- An **action** is seen by whoever may see its meeting, and changed by the meeting's
  delegation and by its owner. Only someone who may see the meeting can own one of its actions,
  so an owner never meets a meeting they may not see (``may_own_action``).
- **The public** (the public site, public feeds, stakeholder pre-reads) sees public meetings
  and their agenda items that are not confidential (``meetings_for``, ``agenda_items_for``).
- **Regulators** are shown to the public as such (a public page and a calendar feed) when the
  directory lists them publicly (``Regulator.listed_publicly``), whatever their meetings; a
  regulator not listed is not announced, even if it has public meetings. Staff see them all
  (``regulators_for``).
- Deliveries of invitations, briefings and history entries of a meeting or an action are as
  visible as the meeting.
- **Documents and calendars** show a meeting to a reader through an *audience* (``Audience``):
  PUBLIC (anyone), MEMBERS (staff who may see it), INVITEE (external attendees) or DELEGATION
  (its delegation and the Secretariat: everything, confidential agenda items and asks too).
  ``audience_for`` picks it for a staff user, ``recipient_audience`` for an invitation.
- **Meeting materials** (documents in the "Meeting materials" collection, attached to a meeting
  or an agenda item and marked for the delegation, invitees or the public): the delegation sees
  all; invitees and other staff those for invitees or the public; the public the public ones of
  a public meeting; a confidential item's papers stay with the delegation
  (``material_shown_to``, ``materials_for``, ``may_download_material``).
- **Meeting series** are seen as their meetings are (``series_visible_to``): a confidential
  series by the Secretariat and its delegation only; only the Secretariat manages them. Every
  meeting of a series has the series' visibility.
- **Carried-forward actions and earlier meetings** shown with a meeting: those of earlier
  meetings the reader may see. A document the whole delegation shares (``SHARED``) leaves out
  earlier confidential meetings, since not every delegate need have been on them.

- **Asks** (liaison.asks: the ledger of what we ask regulators) are seen by staff who see
  meetings: public and members-only asks by all of them, a **confidential** ask by the
  Secretariat and the delegations of the meetings whose agenda puts it (``asks_visible_to``).
  Each **event** of an ask has its own visibility besides: a confidential event, or one of a
  confidential meeting or agenda item, only for the Secretariat and that meeting's
  delegation; an event of a meeting the reader may not see, never (``ask_events_visible_to``).
  **The public** (the impact page, a public regulator page) sees public asks and, of them,
  only the public events of public meetings' open items; an ask's state there is the replay
  of those events alone (``asks_for``, ``ask_events_for``). A briefing the whole delegation
  shares shows the events of its asks as members would see them, and those of its own
  meeting (``ask_history_for``). Asks are changed by those with the permission who see them.

Views, tasks, feeds, choosers, exports, panels and builders ask these functions and queryset
methods (``Meeting.objects.visible_to(user)`` and ``ActionItem.objects.visible_to(user)`` call
``meetings_visible_to`` and ``actions_visible_to`` here); none of them re-derives the rule.
"""

import enum

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import CharField, F, Q
from django.db.models.functions import Cast

from liaison.asks.models import AgendaAsk, Ask, AskEvent
from liaison.asks.models import Visibility as AskVisibility
from liaison.meetings.models import ActionItem, AgendaItem, Meeting, MeetingMaterial, Regulator

CONFIDENTIAL = Meeting.Visibility.CONFIDENTIAL
MANAGE_ALL = "change_any_meeting"
VIEW = "view_meeting"


class Audience(enum.Enum):
    """What a reader is shown of a meeting (see the module docstring)."""

    PUBLIC = "public"
    MEMBERS = "members"
    INVITEE = "invitee"
    DELEGATION = "delegation"

    @property
    def meeting_visibilities(self):
        """The meetings this audience may be shown at all."""
        return SHOWN_TO[self]

    @property
    def sees_organiser(self):
        return self is not Audience.PUBLIC

    @property
    def sees_people(self):
        """Attendees and the join link."""
        return self in (Audience.INVITEE, Audience.DELEGATION)

    @property
    def sees_confidential(self):
        """Objectives, confidential agenda items and the asks."""
        return self is Audience.DELEGATION


SHOWN_TO = {
    Audience.PUBLIC: frozenset({Meeting.Visibility.PUBLIC}),
    Audience.MEMBERS: frozenset({Meeting.Visibility.PUBLIC, Meeting.Visibility.MEMBERS}),
    Audience.INVITEE: frozenset(Meeting.Visibility),
    Audience.DELEGATION: frozenset(Meeting.Visibility),
}

# A reader that stands for a document shared by the whole delegation of a meeting.
SHARED = "every delegate"


def meetings_for(audience, meetings=None):
    """The meetings of ``meetings`` that ``audience`` may be shown at all: the public site
    and public feeds show public meetings (Audience.PUBLIC)."""
    meetings = Meeting.objects.all() if meetings is None else meetings
    return meetings.filter(visibility__in=audience.meeting_visibilities)


def regulators_for(audience, regulators=None):
    """The regulators of ``regulators`` (all by default) that ``audience`` may be shown as
    such, with a page and a calendar feed: the public those listed publicly, whether or not
    they have a public meeting yet; other audiences all."""
    regulators = Regulator.objects.all() if regulators is None else regulators
    if audience is Audience.PUBLIC:
        return regulators.filter(listed_publicly=True)
    return regulators


def agenda_items_for(audience, items=None):
    """The agenda items ``audience`` may see: confidential ones only for the delegation."""
    items = AgendaItem.objects.all() if items is None else items
    return items if audience.sees_confidential else items.filter(confidential=False)


# --- people ---------------------------------------------------------------------------------


def manages_all_meetings(user):
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.has_perm(f"liaison.{MANAGE_ALL}"))
    )


def may_view_meetings(user):
    """May ``user`` see meetings at all (the Liaison menu, a personal calendar feed)?"""
    return bool(user.is_authenticated and user.is_active and user.has_perm(f"liaison.{VIEW}"))


def _may_view(manages_all, views, on_delegation, meeting):
    """The rule for one meeting, from three facts about the user (see the docstring)."""
    if manages_all:
        return True
    return views and (on_delegation or meeting.visibility != CONFIDENTIAL)


def users_who_may_view_meetings():
    """The users ``may_view_meetings`` or ``manages_all_meetings`` says yes for, as one query
    (superusers, and holders of either permission, their own or through a group): those a
    form may offer as delegates or action owners."""
    User = get_user_model()
    perms = Permission.objects.filter(
        content_type__app_label="liaison", codename__in=[VIEW, MANAGE_ALL]
    )
    holders = User.objects.filter(Q(user_permissions__in=perms) | Q(groups__permissions__in=perms))
    return User.objects.filter(is_active=True).filter(
        Q(is_superuser=True) | Q(pk__in=holders.values("pk"))
    )


def is_on_delegation(user, meeting):
    if not user.is_authenticated:
        return False
    return Meeting.delegation.through.objects.filter(meeting_id=meeting.pk, user=user).exists()


# --- meetings -------------------------------------------------------------------------------


def _delegated(user):
    """The ids of the meetings ``user`` is on the delegation of, as a subquery: not a join on
    the delegation, so no duplicate rows to remove with DISTINCT, and a filter on fields the
    search backends can apply (search_fields)."""
    return Meeting.delegation.through.objects.filter(user=user).values("meeting_id")


def meetings_visible_to(user, meetings=None):
    """The meetings of ``meetings`` (all by default) that ``user`` may see."""
    meetings = Meeting.objects.all() if meetings is None else meetings
    if manages_all_meetings(user):
        return meetings
    if not may_view_meetings(user):
        return meetings.none()
    return meetings.filter(~Q(visibility=CONFIDENTIAL) | Q(pk__in=_delegated(user)))


def meetings_changeable_by(user, meetings=None):
    meetings = Meeting.objects.all() if meetings is None else meetings
    if manages_all_meetings(user):
        return meetings
    if not may_view_meetings(user):
        return meetings.none()
    return meetings.filter(pk__in=_delegated(user))


def may_view_meeting(user, meeting):
    if not user.is_authenticated:
        return False
    return _may_view(
        manages_all_meetings(user),
        may_view_meetings(user),
        meeting.visibility == CONFIDENTIAL and is_on_delegation(user, meeting),
        meeting,
    )


def may_change_meeting(user, meeting):
    if manages_all_meetings(user):
        return True
    return may_view_meetings(user) and is_on_delegation(user, meeting)


def may_delete_meeting(user, meeting):
    """Deleting a meeting is the Secretariat's (with the model permission to delete)."""
    return manages_all_meetings(user) and user.has_perm("liaison.delete_meeting")


def series_for(audience, series=None):
    """The series ``audience`` may be shown: those of the visibilities it sees meetings of
    (the public site shows public series)."""
    from liaison.meetings.models import MeetingSeries

    series = MeetingSeries.objects.all() if series is None else series
    return series.filter(visibility__in=audience.meeting_visibilities)


def series_visible_to(user, series=None):
    """The meeting series ``user`` may see: as their meetings (a confidential series only by
    the Secretariat and those on its delegation). Only the Secretariat manages series."""
    from liaison.meetings.models import MeetingSeries

    series = MeetingSeries.objects.all() if series is None else series
    if manages_all_meetings(user):
        return series
    if not may_view_meetings(user):
        return series.none()
    on_it = MeetingSeries.delegation.through.objects.filter(user=user).values("meetingseries_id")
    return series.filter(~Q(visibility=CONFIDENTIAL) | Q(pk__in=on_it))


def may_manage_series(user):
    return manages_all_meetings(user)


# --- actions --------------------------------------------------------------------------------


def actions_visible_to(user, actions=None):
    actions = ActionItem.objects.all() if actions is None else actions
    if manages_all_meetings(user):
        return actions
    return actions.filter(meeting__in=meetings_visible_to(user).values("pk"))


def actions_changeable_by(user, actions=None):
    """Actions of the meetings ``user`` may change, and the actions they own (of meetings they
    may see: an owner dropped from a confidential meeting's delegation loses it)."""
    actions = ActionItem.objects.all() if actions is None else actions
    if manages_all_meetings(user):
        return actions
    if not user.is_authenticated:
        return actions.none()
    changeable = meetings_changeable_by(user).values("pk")
    visible = meetings_visible_to(user).values("pk")
    return actions.filter(Q(meeting__in=changeable) | Q(owner=user, meeting__in=visible))


def may_view_action(user, action):
    return may_view_meeting(user, action.meeting)


def may_change_action(user, action):
    if may_change_meeting(user, action.meeting):
        return True
    return action.owner_id == user.pk and may_view_meeting(user, action.meeting)


def may_own_action(user, meeting):
    """An action is owned only by someone who may see its meeting: owning one tells its owner
    what it is about (reminders, the dashboard, the register)."""
    return user.is_active and may_view_meeting(user, meeting)


def of_visible_meetings(user, queryset, field="meeting"):
    """Rows of ``queryset`` (invitation deliveries, briefings...) whose meeting, through
    ``field``, ``user`` may see."""
    if manages_all_meetings(user):
        return queryset
    return queryset.filter(**{f"{field}__in": meetings_visible_to(user).values("pk")})


def log_entries_visible_to(user, entries):
    """History entries (Wagtail's log) of meetings and actions ``user`` may see. Each entry
    carries the title of its object at the time, so an entry is as secret as its object."""
    from django.contrib.contenttypes.models import ContentType

    if manages_all_meetings(user):
        return entries
    as_text = CharField()
    types = ContentType.objects.get_for_models(Meeting, ActionItem)
    meetings = meetings_visible_to(user).annotate(key=Cast("pk", as_text)).values("key")
    visible = Q(content_type=types[Meeting], object_id__in=meetings)
    if user.has_perm("liaison.view_actionitem"):
        actions = actions_visible_to(user).annotate(key=Cast("pk", as_text)).values("key")
        visible |= Q(content_type=types[ActionItem], object_id__in=actions)
    return entries.filter(visible)


# --- what comes with a meeting: earlier meetings, carried-forward actions ---------------------


def _earlier(meeting):
    """Earlier meetings with any of ``meeting``'s regulators, or of its series (and of the
    series it continues after a change of rule)."""
    regulators = Meeting.regulators.through.objects.filter(meeting_id=meeting.pk)
    related = Q(
        pk__in=Meeting.regulators.through.objects.filter(
            regulator_id__in=regulators.values("regulator_id")
        ).values("meeting_id")
    )
    if meeting.series_id:
        from liaison.meetings.models import MeetingSeries

        family = MeetingSeries.objects.filter(Q(pk=meeting.series_id) | Q(next=meeting.series_id))
        related |= Q(series__in=family.values("pk"))
    return Meeting.objects.filter(related, starts_at__lt=meeting.starts_at).exclude(pk=meeting.pk)


def _open_actions_of(meetings):
    return (
        ActionItem.objects.open()
        .filter(meeting__in=meetings.values("pk"))
        .select_related("meeting", "owner", "owner_organisation", "owner_regulator")
        .order_by(F("due_date").asc(nulls_last=True), "pk")
    )


def earlier_meetings(meeting, reader):
    """Earlier meetings with any of ``meeting``'s regulators or of its series that ``reader``
    may see: a user,
    or ``SHARED`` for a document the whole delegation reads (no confidential ones)."""
    if reader is SHARED:
        return meetings_for(Audience.MEMBERS, _earlier(meeting))
    return meetings_visible_to(reader, _earlier(meeting))


def carried_forward_actions(meeting, reader):
    """Open actions from earlier meetings with any of ``meeting``'s regulators or of its
    series, as far as
    ``reader`` (a user, or ``SHARED``) may see those meetings; soonest due first."""
    return _open_actions_of(earlier_meetings(meeting, reader))


def carried_forward_actions_for(meeting, users):
    """``carried_forward_actions`` for each of ``users`` (a dict by user id), in a fixed
    number of queries however many users: for e-mails to a whole delegation."""
    actions = list(_open_actions_of(_earlier(meeting)))
    readers = Readers(users, {a.meeting_id for a in actions})
    return {
        user.pk: [a for a in actions if readers.may_view_meeting(user, a.meeting)]
        for user in users
    }


# --- audiences ------------------------------------------------------------------------------


def audience_for(user, meeting):
    """The audience a staff user who may see ``meeting`` reads it as: DELEGATION for its
    delegation and the Secretariat, MEMBERS for the others."""
    if manages_all_meetings(user) or is_on_delegation(user, meeting):
        return Audience.DELEGATION
    return Audience.MEMBERS


def feed_audiences(user):
    """A function giving the audience of each meeting in ``user``'s personal feed (one query
    for the meetings they are on the delegation of, however many meetings)."""
    if manages_all_meetings(user):
        return lambda meeting: Audience.DELEGATION
    delegated = set(
        Meeting.delegation.through.objects.filter(user=user).values_list("meeting_id", flat=True)
    )
    return lambda meeting: Audience.DELEGATION if meeting.pk in delegated else Audience.MEMBERS


def recipient_audience(recipient_is_delegate):
    """An invitation shows the delegation everything and external attendees what INVITEE
    may see."""
    return Audience.DELEGATION if recipient_is_delegate else Audience.INVITEE


def has_confidential_content(meeting):
    return meeting.visibility == CONFIDENTIAL or any(
        item.confidential for item in meeting.agenda_items.all()
    )


def briefing_audience(kind, meeting):
    """The audience a briefing of ``kind`` ("delegate", "pre-read", "record") is written for,
    which is also the audience a user needs to read it."""
    if kind == "delegate":
        return Audience.DELEGATION
    if kind == "record" and has_confidential_content(meeting):
        return Audience.DELEGATION
    return Audience.MEMBERS


def may_read_briefing(user, meeting, kind):
    """May ``user`` generate and download the ``kind`` briefing of ``meeting``?"""
    if not user.has_perm("liaison.view_briefing") or not may_view_meeting(user, meeting):
        return False
    if briefing_audience(kind, meeting) is Audience.DELEGATION:
        return audience_for(user, meeting) is Audience.DELEGATION
    return True


# --- meeting materials ----------------------------------------------------------------------


def material_shown_to(audience, material):
    """May ``audience`` be shown ``material`` (a MeetingMaterial of a meeting it may see)?
    The delegation sees every material; invitees and staff outside the delegation those
    marked for invitees or public; the public those marked public of a public meeting. A
    material of a confidential agenda item stays with the delegation whatever its marking.
    ``materials_for`` is the same rule as a query."""
    if audience is Audience.DELEGATION:
        return True
    if material.agenda_item_id and material.agenda_item.confidential:
        return False
    if audience is Audience.PUBLIC:
        return (
            material.audience == MeetingMaterial.Audience.PUBLIC
            and material.meeting.visibility in audience.meeting_visibilities
        )
    return material.audience in (
        MeetingMaterial.Audience.INVITEES,
        MeetingMaterial.Audience.PUBLIC,
    )


def materials_for(audience, materials=None):
    """The materials of ``materials`` that ``audience`` may be shown (``material_shown_to``)."""
    materials = MeetingMaterial.objects.all() if materials is None else materials
    if audience is Audience.DELEGATION:
        return materials
    shared = materials.filter(Q(agenda_item__isnull=True) | Q(agenda_item__confidential=False))
    if audience is Audience.PUBLIC:
        return shared.filter(
            audience=MeetingMaterial.Audience.PUBLIC,
            meeting__visibility__in=audience.meeting_visibilities,
        )
    return shared.filter(
        audience__in=[MeetingMaterial.Audience.INVITEES, MeetingMaterial.Audience.PUBLIC]
    )


def may_download_material(user, document):
    """May ``user`` (anonymous too) download ``document``, a meeting material
    (liaison.meetings.materials says which documents are: those in the "Meeting materials"
    collection or under it)?

    Yes when some meeting lists it for what that reader is shown of the meeting
    (``material_shown_to``): the delegation every paper of its meeting, other staff who may
    see the meeting its invitee and public papers, anyone a public paper of a public
    meeting. The Secretariat may always; a paper attached to no meeting yet only the
    Secretariat and whoever uploaded it. Everyone else gets a 404 (the
    ``before_serve_document`` hook in liaison/wagtail_hooks.py asks this for every meeting
    material). Invitees, who have no login, download theirs through the signed links of
    their invitation.
    """
    if manages_all_meetings(user):
        return True
    uses = list(document.meeting_uses.select_related("meeting", "agenda_item"))
    if not uses:
        return bool(
            may_view_meetings(user)
            and document.uploaded_by_user_id
            and document.uploaded_by_user_id == user.pk
        )
    for use in uses:
        if may_view_meeting(user, use.meeting):
            audience = audience_for(user, use.meeting)
        else:
            audience = Audience.PUBLIC
        if material_shown_to(audience, use):
            return True
    return False


def material_documents_readable_by(user):
    """The ids of the documents ``user`` may download as a meeting's paper
    (``may_download_material``), as a subquery: those some meeting lists for what ``user`` is
    shown of it (the delegation's own meetings, the meetings they may see, public meetings),
    and those they uploaded that no meeting lists yet. For the admin's document listing and
    chooser, which must not show other meetings' paper titles."""
    uses = MeetingMaterial.objects.all()
    if manages_all_meetings(user):
        return uses.values("document_id")
    readable = Q(pk__in=materials_for(Audience.PUBLIC).values("pk"))
    if may_view_meetings(user):
        readable |= Q(
            pk__in=materials_for(
                Audience.MEMBERS, uses.filter(meeting__in=meetings_visible_to(user))
            ).values("pk")
        )
        readable |= Q(meeting__in=_delegated(user))
    return uses.filter(readable).values("document_id")


# --- asks (the ledger) -----------------------------------------------------------------------

ASK_CONFIDENTIAL = AskVisibility.CONFIDENTIAL
ASK_MEMBERS = AskVisibility.MEMBERS
ASK_PUBLIC = AskVisibility.PUBLIC


def asks_for(audience, asks=None):
    """The asks ``audience`` may be shown: public ones for the public, all but confidential
    ones for members, all for a delegation."""
    asks = Ask.objects.all() if asks is None else asks
    if audience is Audience.PUBLIC:
        return asks.filter(visibility=ASK_PUBLIC)
    if audience is Audience.MEMBERS:
        return asks.exclude(visibility=ASK_CONFIDENTIAL)
    return asks


def ask_events_for(audience, events=None):
    """The events ``audience`` may be shown (of asks it may be shown): for the public,
    public events of public asks, of no meeting or of a public meeting's item that is not
    confidential; for members, the same short of confidential ones."""
    events = AskEvent.objects.all() if events is None else events
    if audience is Audience.DELEGATION:
        return events
    if audience is Audience.PUBLIC:
        return events.filter(
            Q(meeting__isnull=True) | Q(meeting__visibility__in=audience.meeting_visibilities),
            Q(agenda_item__isnull=True) | Q(agenda_item__confidential=False),
            visibility=ASK_PUBLIC,
            ask__visibility=ASK_PUBLIC,
        )
    return events.filter(
        Q(meeting__isnull=True) | Q(meeting__visibility__in=audience.meeting_visibilities),
        Q(agenda_item__isnull=True) | Q(agenda_item__confidential=False),
        ~Q(visibility=ASK_CONFIDENTIAL),
        ~Q(ask__visibility=ASK_CONFIDENTIAL),
    )


def _asks_on_agenda_of(meetings):
    return AgendaAsk.objects.filter(agenda_item__meeting__in=meetings).values("ask_id")


def asks_visible_to(user, asks=None):
    """The asks ``user`` may see: not confidential ones if they see meetings; a confidential
    one if they are on the delegation of a meeting that puts it. The Secretariat all."""
    asks = Ask.objects.all() if asks is None else asks
    if manages_all_meetings(user):
        return asks
    if not may_view_meetings(user):
        return asks.none()
    return asks.filter(
        ~Q(visibility=ASK_CONFIDENTIAL) | Q(pk__in=_asks_on_agenda_of(_delegated(user)))
    )


def asks_changeable_by(user, asks=None):
    """Asks are changed (events recorded, closed, reopened) by whoever may see them and has
    the permission to change asks: the Secretariat and delegates."""
    if not user.is_authenticated or not user.has_perm("liaison.change_ask"):
        return (Ask.objects.all() if asks is None else asks).none()
    return asks_visible_to(user, asks)


def may_view_ask(user, ask):
    return asks_visible_to(user, Ask.objects.filter(pk=ask.pk)).exists()


def may_change_ask(user, ask):
    return asks_changeable_by(user, Ask.objects.filter(pk=ask.pk)).exists()


def may_merge_asks(user):
    return manages_all_meetings(user) and user.has_perm("liaison.merge_ask")


def ask_events_visible_to(user, events=None):
    """The events ``user`` may see: of asks they may see; of no meeting or of a meeting they
    may see; confidential ones (or of a confidential agenda item) only with the Secretariat
    or the delegation of the event's meeting."""
    events = AskEvent.objects.all() if events is None else events
    if manages_all_meetings(user):
        return events
    if not may_view_meetings(user):
        return events.none()
    mine = _delegated(user)
    return events.filter(
        Q(ask__in=asks_visible_to(user).values("pk")),
        Q(meeting__isnull=True) | Q(meeting__in=meetings_visible_to(user).values("pk")),
        Q(visibility__in=[ASK_PUBLIC, ASK_MEMBERS], agenda_item__isnull=True)
        | Q(visibility__in=[ASK_PUBLIC, ASK_MEMBERS], agenda_item__confidential=False)
        | Q(meeting__in=mine),
    )


def ask_history_for(meeting, events=None):
    """The events of asks that a document shared by ``meeting``'s whole delegation (the
    delegate briefing) may show of the asks on its agenda (which that delegation sees,
    confidential or not): of this meeting, all; of elsewhere, what members may see (not
    confidential, of no meeting or of a meeting that is not confidential, not of a
    confidential item)."""
    events = AskEvent.objects.all() if events is None else events
    elsewhere = Q(
        Q(meeting__isnull=True) | ~Q(meeting__visibility=CONFIDENTIAL),
        Q(agenda_item__isnull=True) | Q(agenda_item__confidential=False),
        ~Q(visibility=ASK_CONFIDENTIAL),
    )
    return events.filter(ask__in=_asks_on_agenda_of([meeting.pk])).filter(
        Q(meeting=meeting) | elsewhere
    )


# --- many people at once --------------------------------------------------------------------


class Readers:
    """The same rule for many users and meetings at once, in three queries whatever their
    number: for background jobs that decide per recipient (reminders)."""

    def __init__(self, users, meeting_ids):
        users = [u for u in users if u is not None]
        ids = {u.pk for u in users}
        User = get_user_model()
        codenames = {
            codename: Permission.objects.filter(
                content_type__app_label="liaison", codename=codename
            )
            for codename in (MANAGE_ALL, VIEW)
        }

        def holders(codename):
            perm = codenames[codename]
            return set(
                User.objects.filter(pk__in=ids, is_active=True)
                .filter(
                    Q(is_superuser=True)
                    | Q(user_permissions__in=perm)
                    | Q(groups__permissions__in=perm)
                )
                .values_list("pk", flat=True)
            )

        self.managers = holders(MANAGE_ALL)
        self.viewers = holders(VIEW)
        self.delegations = set(
            Meeting.delegation.through.objects.filter(
                meeting_id__in=set(meeting_ids), user_id__in=ids
            ).values_list("meeting_id", "user_id")
        )

    def may_view_meeting(self, user, meeting):
        return user is not None and _may_view(
            user.pk in self.managers,
            user.pk in self.viewers,
            (meeting.pk, user.pk) in self.delegations,
            meeting,
        )
