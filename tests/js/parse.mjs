// Parse an .ics file with ical.js (the parser inside Thunderbird) and print its events as JSON.
//
// Usage: node tests/js/parse.mjs FILE
// Time zones come only from the file's own VTIMEZONE components: a TZID without one is read
// as floating time, which shows up here as "zone": "floating".
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const text = readFileSync(process.argv[2], "utf8");
const calendar = new ICAL.Component(ICAL.parse(text)); // throws on bad syntax

ICAL.TimezoneService.reset(); // UTC only: no built-in zone table
const zones = [];
for (const vtimezone of calendar.getAllSubcomponents("vtimezone")) {
  const zone = new ICAL.Timezone(vtimezone);
  ICAL.TimezoneService.register(zone);
  zones.push(zone.tzid);
}

const events = calendar.getAllSubcomponents("vevent").map((vevent) => {
  const event = new ICAL.Event(vevent);
  return {
    uid: event.uid,
    sequence: event.sequence,
    status: vevent.getFirstPropertyValue("status"),
    summary: event.summary,
    location: event.location,
    description: event.description,
    zone: event.startDate.zone ? event.startDate.zone.tzid : null,
    start: event.startDate.toJSDate().toISOString(),
    end: event.endDate.toJSDate().toISOString(),
    // A DATE value (an all-day event) as written, e.g. "2026-11-19"; null for DATE-TIME.
    all_day: event.startDate.isDate,
    start_date: event.startDate.isDate ? event.startDate.toString() : null,
    end_date: event.endDate.isDate ? event.endDate.toString() : null,
  };
});

// Each series (an event with an RRULE) expanded as a client shows it: its overrides
// (RECURRENCE-ID) related to it, EXDATEs left out; at most 2,000 occurrences a series.
const vevents = calendar.getAllSubcomponents("vevent");
const occurrences = [];
for (const vevent of vevents) {
  if (!vevent.hasProperty("rrule") || vevent.hasProperty("recurrence-id")) {
    continue;
  }
  const master = new ICAL.Event(vevent);
  for (const other of vevents) {
    if (other.hasProperty("recurrence-id") && other.getFirstPropertyValue("uid") === master.uid) {
      master.relateException(new ICAL.Event(other));
    }
  }
  const iterator = master.iterator();
  for (let next = iterator.next(), n = 0; next && n < 2000; next = iterator.next(), n++) {
    const details = master.getOccurrenceDetails(next);
    occurrences.push({
      uid: master.uid,
      recurrence_id: details.recurrenceId.toJSDate().toISOString(),
      start: details.startDate.toJSDate().toISOString(),
      end: details.endDate.toJSDate().toISOString(),
      status: details.item.component.getFirstPropertyValue("status"),
      summary: details.item.summary,
    });
  }
}

process.stdout.write(
  JSON.stringify({
    method: calendar.getFirstPropertyValue("method"),
    zones,
    events,
    occurrences,
  }) + "\n",
);
