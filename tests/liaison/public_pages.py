"""What the public meeting page tests share: building public meetings and agenda items, and
reading the listings of /meetings/ and the home page."""

import datetime

from bs4 import BeautifulSoup

from liaison.models import AgendaItem
from tests.liaison.factories import make_meeting

UTC = datetime.UTC
NOW = datetime.datetime(2026, 5, 1, 12, tzinfo=UTC)
LIST_URL = "/meetings/"


def at(*args):
    return datetime.datetime(*args, tzinfo=UTC)


def meeting(regulator, title, start, visibility="public", *, minutes=120, **kw):
    meeting = make_meeting(regulator, title=title, starts_at=start, visibility=visibility, **kw)
    meeting.ends_at = start + datetime.timedelta(minutes=minutes)
    meeting.save()
    return meeting


def item(meeting, title, confidential=False, positions=(), **kw):
    agenda_item = AgendaItem.objects.create(
        meeting=meeting, title=title, confidential=confidential, **kw
    )
    agenda_item.cited_positions.set(positions)
    agenda_item.save()  # a ParentalManyToManyField is written on save
    return agenda_item


def url(meeting):
    return f"/meetings/{meeting.uuid}/"


def html(response):
    return BeautifulSoup(response.content, "html.parser")


def text(element):
    return " ".join(element.get_text(" ", strip=True).split())


def listed(response, section):
    """Titles of the meetings listed under a heading of /meetings/, in order."""
    found = html(response).select_one(f"section[aria-labelledby={section}-heading]")
    return [text(li.h3) for li in found.select("li.meeting")] if found else []


def entry(response, title):
    """The <li> of the meeting called `title` in a listing."""
    for li in html(response).select("li.meeting"):
        if text(li.h3) == title:
            return li
    raise AssertionError(f"{title!r} is not listed")
