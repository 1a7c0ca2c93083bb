"""Plain helpers that build liaison test data: regulators, meetings and the meeting form.

The advocacy and user helpers (make_user, make_position, jurisdiction...) are in
tests/factories.py; bulk inserts for query counts and benchmarks are in tests/liaison/bulk.py.
"""

import datetime

from wagtail.test.utils.form_data import inline_formset, nested_form_data

from liaison.models import Meeting, Regulator
from tests.factories import jurisdiction

UTC = datetime.UTC
# The meeting snippet's admin: where meeting_form() is posted.
ADD_URL = "/admin/snippets/liaison/meeting/add/"
LIST_URL = "/admin/snippets/liaison/meeting/"


def make_regulator(acronym="Health Canada BRDD", zone="America/Toronto", *, listed=False):
    """A regulator; ``listed`` lists it on the public site (a page and a feed)."""
    return Regulator.objects.create(
        name=acronym,
        acronym=acronym,
        jurisdiction=jurisdiction("ca"),
        time_zone=zone,
        listed_publicly=listed,
    )


def make_meeting(regulator, title="Annual Cell Therapy Liaison Meeting", delegation=(), **kw):
    start = kw.pop("starts_at", datetime.datetime(2026, 6, 10, 13, tzinfo=UTC))
    meeting = Meeting(
        title=title,
        time_zone=regulator.time_zone,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        **kw,
    )
    meeting.save()
    meeting.regulators.set([regulator])
    meeting.delegation.set(delegation)
    meeting.save()
    return meeting


def meeting_form(regulator, **overrides):
    """POST data for the meeting add or edit form: 09:00-11:30 in Toronto, one agenda item."""
    data = {
        "title": "Annual Cell Therapy Liaison Meeting",
        "regulators": [regulator.pk],
        "kind": "liaison",
        "status": "planned",
        "visibility": "members",
        "time_zone": "America/Toronto",
        "local_start": "2026-06-10 09:00",
        "local_end": "2026-06-10 11:30",
        "occurrence": "",
        "location": "Ottawa, Holland Cross",
        "join_url": "",
        "objectives": "Agree next steps on potency.",
        "public_summary": "",
        "agenda_items": inline_formset(
            [
                {
                    "title": "Potency assays",
                    "duration_minutes": 30,
                    "presenter": "Priya",
                    "ask": "Accept matrices",
                    "background": "",
                    "talking_points": "",
                    "confidential": False,
                    "regulator_response": "",
                    "decision": "",
                    "outcome_notes": "",
                    "ask_links": inline_formset([]),
                },
            ]
        ),
    }
    data.update(overrides)
    regulators = data.pop("regulators")
    form = nested_form_data(data)
    form["regulators"] = regulators
    return form
