"""Read calendar files back with parsers other than the one that wrote them."""

import datetime

import vobject

from tests.js import icaljs

UTC = datetime.UTC


def read_vobject(data):
    """The calendar as vobject reads it, validating it, with time zones from this file only.

    vobject keeps the first VTIMEZONE it reads for a TZID in a process-wide table and uses
    it for every later file naming that TZID, so it is emptied first."""
    zones = vars(vobject.icalendar)["__tzidMap"]
    utc_zone = zones["UTC"]
    zones.clear()
    zones["UTC"] = utc_zone
    return vobject.readOne(data.decode("utf-8"), validate=True)


def check_instants(test, data, meetings):
    """vobject (validating) and ical.js read the same UTC instants as the database holds."""
    by_uid = {str(m.uuid): m for m in meetings}
    calendar = read_vobject(data)
    events = getattr(calendar, "vevent_list", [])
    test.assertEqual({str(e.uid.value) for e in events}, set(by_uid))
    for event in events:
        meeting = by_uid[str(event.uid.value)]
        test.assertEqual(event.dtstart.value.astimezone(UTC), meeting.starts_at)
        test.assertEqual(event.dtend.value.astimezone(UTC), meeting.ends_at)
    parsed = icaljs.parse(data)
    test.assertEqual({e["uid"] for e in parsed["events"]}, set(by_uid))
    for event in parsed["events"]:
        meeting = by_uid[event["uid"]]
        test.assertNotEqual(event["zone"], "floating")
        test.assertEqual(
            event["start"], meeting.starts_at.strftime("%Y-%m-%dT%H:%M:%S.000Z"), event
        )
        test.assertEqual(event["end"], meeting.ends_at.strftime("%Y-%m-%dT%H:%M:%S.000Z"))
    return parsed
