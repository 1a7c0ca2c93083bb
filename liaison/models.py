"""Every model of the liaison app, for Django (and the migrations) to find. Each lives with
the part it belongs to: meetings (directory, meetings, agenda, actions), calendars and briefings."""

from liaison.asks.models import AgendaAsk, Ask, AskEvent
from liaison.briefings.models import Briefing, private_storage
from liaison.calendars.models import FeedToken, InvitationReply, InviteDelivery, Subscriber
from liaison.meetings.models import (
    ActionItem,
    AgendaItem,
    Contact,
    LiaisonLogEntry,
    Meeting,
    MeetingMaterial,
    MeetingSeries,
    Organisation,
    Regulator,
    SeriesAgendaItem,
    time_zone_choices,
    validate_time_zone,
)

__all__ = [
    "ActionItem",
    "AgendaAsk",
    "AgendaItem",
    "Ask",
    "AskEvent",
    "Briefing",
    "Contact",
    "FeedToken",
    "InvitationReply",
    "InviteDelivery",
    "LiaisonLogEntry",
    "Meeting",
    "MeetingMaterial",
    "MeetingSeries",
    "Organisation",
    "Regulator",
    "SeriesAgendaItem",
    "Subscriber",
    "private_storage",
    "time_zone_choices",
    "validate_time_zone",
]
