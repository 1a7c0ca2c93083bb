"""Actions where the meeting is: the action form, its add and edit views, and the e-mail that
tells a person an action is theirs.

The meeting page links to the form with ``add_url`` and ``edit_url`` (which bring the user
back to it after saving) and shows its "Add action" buttons where ``may_add_action`` says so.
"""

import uuid
from urllib.parse import urlencode

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS
from django.db.models import Q
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.views import generic

from cms import emails, outbox
from cms.validators import storable_id
from liaison import visibility
from liaison.meetings import admin_views
from liaison.meetings.forms import may_see_meetings
from liaison.meetings.models import ActionItem, AgendaItem, Meeting, Organisation, Regulator

ONE_OWNER = "Give the action one owner: a person, an organisation or a regulator."
OPEN = (ActionItem.Status.OPEN, ActionItem.Status.IN_PROGRESS)


# --- links from the meeting page --------------------------------------------------------------


def add_url(meeting, agenda_item=None, next_url=None):
    """The form for a new action of ``meeting`` (and ``agenda_item``), back to ``next_url``."""
    query = {"meeting": meeting.pk}
    if agenda_item is not None:
        query["agenda_item"] = agenda_item.pk
    if next_url:
        query["next"] = next_url
    return f"{reverse('actions:add')}?{urlencode(query)}"


def edit_url(action, next_url=None):
    url = reverse("actions:edit", args=[action.pk])
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def may_add_action(user, meeting):
    """Actions are part of their meeting's record: added by whoever may change it."""
    return user.has_perm("liaison.add_actionitem") and visibility.may_change_meeting(user, meeting)


def next_url_from(request):
    """``?next=`` when it is a path on this site, else None: a link from elsewhere must not
    send someone on to another site after they save."""
    url = request.POST.get("next") or request.GET.get("next")
    if not url or not url.startswith("/"):
        return None
    safe = url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return url if safe else None


# --- the owner: a person, an organisation or a regulator -------------------------------------


def person_name(user):
    return user.get_full_name() or user.get_username()


def owner_value(action):
    """The Owner field's value for ``action``'s owner: "user:5", "organisation:3" or
    "regulator:2" ("" when it has none yet)."""
    if action.owner_id:
        return f"user:{action.owner_id}"
    if action.owner_organisation_id:
        return f"organisation:{action.owner_organisation_id}"
    if action.owner_regulator_id:
        return f"regulator:{action.owner_regulator_id}"
    return ""


class OwnerField(forms.ChoiceField):
    """One choice for the three owner columns, grouped into People, Organisations and
    Regulators. It cleans to the chosen user, organisation or regulator."""

    def __init__(self, **kwargs):
        super().__init__(
            label="Owner",
            error_messages={
                "required": ONE_OWNER,
                "invalid_choice": "Choose the owner from the list: that one is not on it.",
            },
            **kwargs,
        )
        self.owners = {}  # value -> the user, organisation or regulator

    def offer(self, current=None):
        """List the possible owners, and ``current`` (the action's owner) even if it would
        no longer be listed, so that saving the action for another reason keeps it."""
        self.owners = {}  # a new dict: the copies of a field made for each form share one
        # Only those who may see meetings at all may own an action (may_own_action).
        kept = [current.pk] if isinstance(current, get_user_model()) else []
        people = may_see_meetings(also=kept)
        groups = [
            ("People", "user", people, person_name),
            ("Organisations", "organisation", Organisation.objects.all(), str),
            ("Regulators", "regulator", Regulator.objects.all(), str),
        ]
        choices = [("", "---------")]
        for heading, kind, rows, label in groups:
            options = []
            for row in rows:
                value = f"{kind}:{row.pk}"
                self.owners[value] = row
                options.append((value, label(row)))
            if options:
                choices.append((heading, options))
        self.choices = choices

    def clean(self, value):
        value = super().clean(value)
        return self.owners[value]


# --- the form -------------------------------------------------------------------------------


def meeting_label(meeting):
    """A meeting as a choice, or a group of agenda items: "Annual liaison, 10 Jun 2026" (its
    own date), since meetings, and their agenda items, often have the same titles."""
    return f"{meeting.title}, {meeting.local_start:%-d %b %Y}"


class ActionItemForm(WagtailAdminModelForm):
    """Offer only the meetings the user may change (an action is part of its meeting's
    record: the Secretariat's, or a delegation's for its own meetings), and only their
    agenda items: those of the action's meeting once it is known, else grouped by meeting.
    An owner editing an action of a meeting they are not on keeps that meeting, and sees its
    agenda items except the confidential ones. A new action opened from a meeting
    (``initial["meeting"]``) stays with that meeting.

    The Owner field sets the three owner columns; a person must be someone who may see the
    meeting (liaison.visibility.may_own_action)."""

    owner = OwnerField()
    # Names one submission of the form: the owner is e-mailed once however often it is sent.
    submission = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        action = self.instance
        user = self.for_user
        changeable = (
            Meeting.objects.none() if user is None else Meeting.objects.changeable_by(user)
        )
        meetings = Meeting.objects.filter(
            Q(pk__in=changeable.values("pk")) | Q(pk=action.meeting_id)
        )
        meeting_field = self.fields["meeting"]
        meeting_field.queryset = meetings
        meeting_field.label_from_instance = meeting_label
        given = None if action.pk else storable_id(self.initial.get("meeting") or "")
        if given and meetings.filter(pk=given).exists():
            meeting_field.queryset = meetings.filter(pk=given)
            meeting_field.disabled = True
            meeting_field.empty_label = None
            meeting_field.help_text = "Opened from this meeting: the action is added to it."
        meeting_field.widget = forms.Select(choices=meeting_field.choices)

        items = AgendaItem.objects.filter(
            Q(meeting__in=changeable.values("pk"))
            | Q(meeting=action.meeting_id, confidential=False)
            | Q(pk=action.agenda_item_id)
        )
        self.offer_agenda_items(items, self.known_meeting_id())

        if "ask" in self.fields:
            # Only the asks the user may see (the queryset asks liaison.visibility), and the
            # action's own; open ones first.
            ask_field = self.fields["ask"]
            asks = ask_field.queryset.model.objects
            visible = asks.none() if user is None else asks.visible_to(user).current()
            ask_field.queryset = asks.filter(
                Q(pk__in=visible.values("pk")) | Q(pk=action.ask_id)
            ).order_by("reference")
            ask_field.widget = forms.Select(choices=ask_field.choices)

        current = action.owner or action.owner_organisation or action.owner_regulator
        self.fields["owner"].offer(current)
        self.initial["owner"] = owner_value(action)
        if not self.is_bound:
            self.initial["submission"] = uuid.uuid4().hex

    def known_meeting_id(self):
        """The meeting the action is for, if it is known yet: as posted, as opened from the
        meeting's page, or the action's own."""
        meeting_field = self.fields["meeting"]
        if meeting_field.disabled:
            return storable_id(self.initial["meeting"])
        if self.is_bound:
            posted = storable_id(self.data.get(self.add_prefix("meeting")) or "")
            if posted:
                return posted
        return self.instance.meeting_id

    def offer_agenda_items(self, items, meeting_id):
        field = self.fields["agenda_item"]
        if meeting_id:
            field.queryset = items.filter(meeting=meeting_id).order_by("sort_order", "pk")
            return
        field.queryset = items.select_related("meeting").order_by(
            "-meeting__starts_at", "meeting", "sort_order", "pk"
        )
        groups = {}
        for item in field.queryset:
            groups.setdefault(item.meeting, []).append((item.pk, item.title))
        field.choices = [("", field.empty_label)] + [
            (meeting_label(meeting), options) for meeting, options in groups.items()
        ]

    def clean_submission(self):
        value = self.cleaned_data["submission"]
        try:
            return uuid.UUID(hex=value).hex
        except ValueError:
            return uuid.uuid4().hex  # a form from elsewhere: no double to recognise

    def clean(self):
        cleaned = super().clean()
        owner, meeting = cleaned.get("owner"), cleaned.get("meeting")
        if "owner" in cleaned:
            # The form's "owner" sets the person column; the other two are not form fields.
            User = get_user_model()
            cleaned["owner"] = owner if isinstance(owner, User) else None
            self.instance.owner_organisation = owner if isinstance(owner, Organisation) else None
            self.instance.owner_regulator = owner if isinstance(owner, Regulator) else None
        person = cleaned.get("owner")
        changed = {"owner", "meeting"} & set(self.changed_data)
        if person and meeting and changed and not visibility.may_own_action(person, meeting):
            self.add_error(
                "owner",
                f"{person_name(person)} may not see this "
                f"{meeting.get_visibility_display().lower()} meeting, so cannot own its "
                "actions: choose someone on its delegation, or add them to the delegation "
                "first.",
            )
        return cleaned

    def _post_clean(self):
        super()._post_clean()
        if self.has_error("owner"):
            # ActionItem.clean stops at its first complaint, which is then the owner one
            # again, for the whole form: once, at the Owner field, is enough.
            self._errors.pop(NON_FIELD_ERRORS, None)


# --- telling the owner ------------------------------------------------------------------------


def person_to_tell(action, before, editor):
    """The person to e-mail about ``action`` just saved by ``editor``, or None.

    ``before`` is the stored ``(owner_id, due_date)`` before the save, None for a new action.
    A person is told when the action is given to them or its due date moves while it is
    theirs, unless they made the change themselves. Organisations and regulators are never
    e-mailed: actions are the society's internal record. A closed action asks nothing of
    anyone; an owner who may no longer see the meeting, or has no address, is not told."""
    owner = action.owner
    if owner is None or owner.pk == editor.pk or action.status not in OPEN:
        return None
    if before is not None:
        owner_before, due_before = before
        if owner_before == owner.pk and due_before == action.due_date:
            return None
    if not owner.email or not visibility.may_own_action(owner, action.meeting):
        return None
    return owner


def tell_owner(action, *, before, editor, submission):
    """Put the e-mail to ``action``'s owner in the outbox, in the caller's transaction, if
    they are to be told (``person_to_tell``). ``submission`` names the form submission:
    sent twice, it queues one e-mail. Return the queued OutgoingMail, or None."""
    owner = person_to_tell(action, before, editor)
    if owner is None:
        return None
    meeting = action.meeting
    item = action.agenda_item
    # A confidential item's title is the delegation's, even in its owner's inbox.
    audience = visibility.audience_for(owner, meeting)
    if item and not visibility.agenda_items_for(audience).filter(pk=item.pk).exists():
        item = None
    context = {
        "recipient": owner,
        "action": action,
        "meeting": meeting,
        "agenda_item": item,
        "editor_name": person_name(editor),
        "newly_theirs": before is None or before[0] != owner.pk,
        "due_before": before[1] if before else None,
        "confidential": meeting.visibility == Meeting.Visibility.CONFIDENTIAL,
        "action_url": emails.absolute_url(reverse("actions:edit", args=[action.pk])),
        "meeting_url": emails.absolute_url(
            reverse("wagtailsnippets_liaison_meeting:inspect", args=[meeting.pk])
        ),
    }
    message = emails.message("liaison/emails/action-assigned", context, to=[owner.email])
    return outbox.post(message, kind="action owner", key=f"action-owner:{submission}")


# --- the views ------------------------------------------------------------------------------


class NextUrlMixin:
    """Back to the page the form was opened from (``?next=``, the meeting page) after
    saving, and by Cancel; Wagtail's views go to the listing. The form posts to its own
    address with the query kept, so the choice survives a form with errors."""

    kept_query = ()

    def get_next_url(self):
        return next_url_from(self.request)

    def get_success_url(self):
        return self.get_next_url() or super().get_success_url()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        next_url = self.get_next_url()
        query = {k: self.request.GET[k] for k in self.kept_query if self.request.GET.get(k)}
        if next_url:
            query["next"] = next_url
        if query:
            context["action_url"] = f"{context['action_url']}?{urlencode(query)}"
        context["next_url"] = next_url
        return context


class CreateView(NextUrlMixin, generic.CreateView):
    """A new action; ``?meeting=``, ``?agenda_item=`` and ``?ask=`` fill the form in."""

    template_name = "liaison/admin/action_form.html"
    kept_query = ("meeting", "agenda_item", "ask")

    def get_initial(self):
        initial = super().get_initial()
        for name in ("meeting", "agenda_item", "ask"):
            pk = storable_id(self.request.GET.get(name) or "")
            if pk:
                initial[name] = pk
        return initial

    def save_instance(self):
        action = super().save_instance()
        tell_owner(
            action,
            before=None,
            editor=self.request.user,
            submission=self.form.cleaned_data["submission"],
        )
        return action


class EditView(NextUrlMixin, admin_views.ModelEditView):
    """An action, changed by whoever may change it (admin_views checks the object)."""

    template_name = "liaison/admin/action_form.html"

    def save_instance(self):
        # The form has already put the new values on the object: the row has the old ones.
        before = (
            ActionItem.objects.filter(pk=self.object.pk).values_list("owner_id", "due_date").get()
        )
        action = super().save_instance()
        tell_owner(
            action,
            before=before,
            editor=self.request.user,
            submission=self.form.cleaned_data["submission"],
        )
        return action
