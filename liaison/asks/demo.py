"""Demo data for the asks ledger: liaison meetings with FDA and Health Canada over three
years, and asks in every status, raised at those meetings, answered, followed up, closed
with evidence, merged, superseded, reopened. Adds nothing the second time."""

import datetime

from django.utils import timezone

from advocacy.models import PositionPage, Topic
from liaison.asks import events, ledger
from liaison.asks.models import AgendaAsk, Ask, Visibility
from liaison.meetings.models import AgendaItem, Contact, Meeting, Organisation, Regulator

FDA, HC = "FDA CBER OTP", "Health Canada BRDD"

# key, title, regulator, days ago, visibility, agenda item titles
MEETINGS = [
    ("fda-2", "FDA OTP annual liaison meeting", FDA, 760, "public",
     ["Potency assay matrices", "Long-term follow-up durations", "Real-world evidence"]),
    ("fda-1", "FDA OTP annual liaison meeting", FDA, 390, "public",
     ["Potency assay matrices", "Comparability after manufacturing changes",
      "Unproven clinics: referrals"]),
    ("hc-call", "Health Canada BRDD working call on follow-up", HC, 200, "members",
     ["Long-term follow-up durations", "Hospital manufacturing"]),
]  # fmt: skip

DESCRIPTIONS = {
    "fda-2": "The society's yearly liaison meeting with FDA's Office of Therapeutic Products: "
    "the year's asks on potency, follow-up and evidence, and FDA's answers.",
    "fda-1": "The society's yearly liaison meeting with FDA's Office of Therapeutic Products: "
    "where last year's asks stand, and the new ones.",
    "hc-call": "A working call with Health Canada's directorate on long-term follow-up and "
    "hospital manufacturing.",
}

FR = "https://www.federalregister.gov/documents"
# key, title, regulator, topic names, position slugs, organisation, visibility, outcome
# wanted, then the script: (step, ...) read by ``_play``.
ASKS = [
    ("matrix-fda", "Accept a potency assay matrix for CAR-T products", FDA,
     ["Potency assays"], ["potency-assays"], None, "public",
     "FDA accepts a matrix of orthogonal assays as the potency release test for CAR-T "
     "products, instead of a single functional assay.",
     [("raise", "fda-2", 0, "FDA is open to a matrix where one assay alone cannot capture the "
       "mechanism; it wants the matrix justified product by product.", True),
      ("follow", "fda-2", 30, "Letter with three member case studies of assay matrices."),
      ("raise", "fda-1", 0, "FDA will address matrices in the forthcoming potency guidance.", True),
      ("evidence", "fda-1", 120, f"{FR}/2023/12/28/2023-28567/potency-assurance-for-cellular-and-gene-therapy-products-draft-guidance-for-industry",
       "Potency Assurance for Cellular and Gene Therapy Products; Draft Guidance for Industry",
       "public"),
      ("close", "met", "fda-1", 125, "The draft guidance accepts a matrix of assays.", "public")]),
    ("ltfu-fda", "Risk-based durations for long-term follow-up", FDA,
     ["Long-term follow-up"], ["long-term-follow-up"], None, "public",
     "Follow-up durations set by the product's integration and persistence risk, not 15 "
     "years for every gene therapy.",
     [("raise", "fda-2", 1, "FDA keeps 15 years as the default but will consider "
       "justification per product.", True),
      ("follow", "fda-2", 60, "Registry data from two member organisations sent."),
      ("evidence", "fda-2", 200, "https://www.fda.gov/regulatory-information/search-fda-guidance-documents/long-term-follow-after-administration-human-gene-therapy-products",
       "Long Term Follow-Up After Administration of Human Gene Therapy Products", "public"),
      ("close", "partly_met", "fda-2", 210, "Shorter durations are possible with "
       "justification; 15 years stays the default.", "public")]),
    ("rwe-fda", "Registries as confirmatory evidence after accelerated approval", FDA,
     ["Real-world evidence", "Accelerated approval"], ["real-world-evidence-confirmatory"],
     None, "public",
     "FDA accepts well-run registries as confirmatory evidence for accelerated approvals of "
     "cell therapies.",
     [("raise", "fda-2", 2, "FDA declined: registries can support but not replace "
       "randomised confirmatory trials.", True),
      ("close", "declined", "fda-2", 20, "FDA will not accept registries alone.", "public")]),
    ("comparability-fda", "Tiered comparability after manufacturing changes", FDA,
     ["Manufacturing and CMC"], ["comparability-after-manufacturing-changes"],
     "Northern Lights Cell Therapeutics", "public",
     "A tiered comparability approach: analytical data alone for low-risk changes.",
     [("raise", "fda-1", 1, "", True),
      ("ack", "fda-1", 14),
      ("answer", "fda-1", 60, "By e-mail: FDA is drafting a comparability guidance and will "
       "take the tiered approach into account.", "public"),
      ("follow", "fda-1", 90, "Sent our comparability position and two worked examples.")]),
    ("clinics-fda", "Act on referrals of unproven stem cell clinics", FDA,
     ["Unproven cell therapies"], ["unproven-stem-cell-interventions"], None, "confidential",
     "FDA acts on the clinic reports members send, and tells us what became of them.",
     [("raise", "fda-1", 2, "FDA will review the referrals; it cannot report on open "
       "enforcement cases.", False)]),
    ("clinics-log-fda", "A way to follow clinic referrals", FDA,
     ["Unproven cell therapies"], [], None, "members",
     "A contact point at FDA to follow up referrals of clinics.",
     [("ack", None, -60), ("merge", "clinics-fda")]),
    ("matrix-hc", "Accept a potency assay matrix in Canadian submissions", HC,
     ["Potency assays"], ["potency-assays"], None, "public",
     "Health Canada accepts the same assay matrix FDA accepts, so one package serves both.",
     [("raise", "hc-2y", 0, "", True),
      ("answer", "hc-2y", 45, "By letter: Health Canada will align with FDA where it can, "
       "and asks for examples.", "public"),
      ("raise", "hc-1y", 0, "", True),
      ("ack", "hc-1y", 10)]),
    ("ltfu-hc", "Align Canadian follow-up durations with FDA's", HC,
     ["Long-term follow-up"], ["long-term-follow-up"], "Canadian Stem Cell Patients Network",
     "public",
     "Health Canada's follow-up expectations match FDA's, so one registry serves both.",
     [("raise", "hc-2y", 1, "Health Canada expects to follow FDA's guidance.", True),
      ("raise", "hc-call", 0, "Health Canada will publish a notice on follow-up; timing "
       "uncertain.", False)]),
    ("hospital-hc", "Guidance on hospital manufacturing of CAR-T", HC,
     ["Hospital exemption", "Manufacturing and CMC"], ["point-of-care-manufacturing"], None,
     "members",
     "A guidance for hospitals making CAR-T cells at the point of care.",
     [("raise", "hc-call", 1, "", False)]),
    ("comparability-hc", "Comparability expectations in Canada", HC,
     ["Manufacturing and CMC"], ["comparability-after-manufacturing-changes"], None, "public",
     "Health Canada states its comparability expectations for advanced therapies.",
     [("raise", "hc-1y", 1, "Health Canada prefers to wait for ICH Q5E's revision.", True),
      ("close", "parked", "hc-1y", 30, "Parked until the ICH revision starts.", "public"),
      ("reopen", "hc-1y", 200, "The ICH revision started: we take it up again.")]),
    ("funding-hc", "Joint funding of the follow-up registry", HC,
     ["Long-term follow-up", "Real-world evidence"], [], None, "confidential",
     "Health Canada co-funds the joint registry with the society.",
     [("raise", "hc-1y", 2, "Not within the directorate's means.", False),
      ("close", "parked", "hc-1y", 5, "No budget this year.", "confidential")]),
    ("ltfu-registry-fda", "One registry format for follow-up data", FDA,
     ["Long-term follow-up", "Real-world evidence"], ["long-term-follow-up"], None, "public",
     "FDA accepts follow-up data in the registry format members already use.",
     [("raise", "fda-1", 0, "", True),
      ("close", "superseded", "fda-1", 40, "Folded into the risk-based durations ask.",
       "public", "ltfu-new-fda")]),
    ("ltfu-new-fda", "Risk-based follow-up with one registry format", FDA,
     ["Long-term follow-up"], ["long-term-follow-up"], None, "public",
     "Durations by risk, reported in one registry format.",
     [("raise", "fda-call", 0, "", True)]),
    ("editing-fda", "Off-target analysis expectations for edited products", FDA,
     ["Gene editing"], ["genome-editing-off-target"], "Northern Lights Cell Therapeutics",
     "public",
     "FDA says which off-target analyses it expects for genome-edited cell products.",
     []),
]  # fmt: skip


def _at(zone, day, hour=10):
    import zoneinfo

    local = datetime.datetime.combine(day, datetime.time(hour), tzinfo=zoneinfo.ZoneInfo(zone))
    return local.astimezone(datetime.UTC)


def _meetings(users, regulators):
    """The demo's past meetings the asks were raised at, by key."""
    today = timezone.localdate()
    found = {}
    delegation = [u for key, u in users.items() if key in ("delegate", "secretariat")]
    for key, title, acronym, days_ago, visibility, items in MEETINGS:
        regulator = regulators[acronym]
        day = today - datetime.timedelta(days=days_ago)
        while day.weekday() >= 5:
            day -= datetime.timedelta(days=1)
        title = f"{title} {day.year}" if "annual" in title else title
        meeting = Meeting.objects.filter(title=title).first()
        if meeting is None:
            starts = _at(regulator.time_zone, day)
            meeting = Meeting(
                title=title,
                kind=Meeting.Kind.LIAISON if "annual" in title else Meeting.Kind.WORKING_CALL,
                time_zone=regulator.time_zone,
                starts_at=starts,
                ends_at=starts + datetime.timedelta(hours=3),
                status=Meeting.Status.HELD,
                visibility=visibility,
                organiser=users.get("secretariat"),
                location="FDA White Oak Campus, Silver Spring" if acronym == FDA else "Ottawa",
                description=DESCRIPTIONS[key],
            )
            meeting.regulators = [regulator]
            meeting.delegation = delegation
            # Officials of its regulator, and one member organisation's representative.
            meeting.attendees = list(Contact.objects.filter(regulator=regulator)) + list(
                Contact.objects.filter(organisation__kind=Organisation.Kind.MEMBER).order_by(
                    "name"
                )[:1]
            )
            meeting.agenda_items = [
                AgendaItem(title=t, duration_minutes=40, sort_order=n) for n, t in enumerate(items)
            ]
            meeting.save()
        found[key] = meeting
    # The annual liaison meetings with Health Canada (liaison.demo.seed_series) of the last
    # two years.
    ctlm = Meeting.objects.filter(
        title__startswith="Annual Cell Therapy Liaison Meeting", starts_at__lt=timezone.now()
    )
    past = list(ctlm.order_by("starts_at"))
    if past:
        found["hc-2y"], found["hc-1y"] = past[-2] if len(past) > 1 else past[-1], past[-1]
    # The latest monthly call with FDA that took place.
    call = (
        Meeting.objects.filter(series__title__startswith="Monthly call with FDA")
        .filter(starts_at__lt=timezone.now(), status=Meeting.Status.HELD)
        .order_by("-starts_at")
        .first()
    )
    if call is not None:
        found["fda-call"] = call
    return found


def _day(meetings, key, offset):
    if key is None or key not in meetings:
        day = timezone.localdate() + datetime.timedelta(days=offset)
    else:
        day = meetings[key].local_start.date() + datetime.timedelta(days=offset)
    return min(day, timezone.localdate())


def _play(ask, script, meetings, asks, user):
    for step in script:
        try:
            _step(ask, step, meetings, asks, user)
        except events.RefusedError:
            continue  # a demo seeded on an odd day: the ledger refuses a step, the rest goes on


def _step(ask, step, meetings, asks, user):
    kind = step[0]
    if kind == "raise":
        _, key, index, answer, public = step
        meeting = meetings.get(key)
        if meeting is None:
            return
        items = list(meeting.agenda_items.order_by("sort_order", "pk"))
        item = items[min(index, len(items) - 1)]
        AgendaAsk.objects.get_or_create(
            agenda_item=item, ask=ask, defaults={"answer": answer, "answer_public": public}
        )
        events.sync_meeting(meeting, user)
    elif kind == "ack":
        _, key, offset = step
        events.record(ask, ledger.K_ACKNOWLEDGED, on=_day(meetings, key, offset), user=user,
                      visibility=ask.visibility if ask.visibility != "confidential" else "members")  # fmt: skip
    elif kind == "answer":
        _, key, offset, text, seen = step
        events.record(ask, ledger.K_ANSWERED, on=_day(meetings, key, offset), text=text,
                      user=user, visibility=seen)  # fmt: skip
    elif kind == "follow":
        _, key, offset, text = step
        events.record(ask, ledger.K_FOLLOW_UP, on=_day(meetings, key, offset), text=text,
                      user=user, visibility=Visibility.PUBLIC if ask.visibility == "public" else Visibility.MEMBERS)  # fmt: skip
    elif kind == "evidence":
        _, key, offset, url, title, seen = step
        events.record(ask, ledger.K_EVIDENCE, on=_day(meetings, key, offset), url=url,
                      document_title=title, visibility=seen, user=user)  # fmt: skip
    elif kind == "close":
        outcome, key, offset, text, seen = step[1:6]
        by = asks.get(step[6]) if len(step) > 6 else None
        events.close(ask, outcome, on=_day(meetings, key, offset), text=text,
                     visibility=seen, user=user, superseded_by=by)  # fmt: skip
    elif kind == "reopen":
        _, key, offset, note = step
        events.reopen(ask, note=note, on=_day(meetings, key, offset), user=user)
    elif kind == "merge":
        events.merge(ask, asks[step[1]], note="The same ask, raised twice.", user=user)


def seed_asks(users):
    """The demo ledger. Adds nothing the second time."""
    if Ask.objects.exists():
        return
    regulators = {r.acronym: r for r in Regulator.objects.filter(acronym__in=[FDA, HC])}
    if len(regulators) < 2:
        return
    meetings = _meetings(users, regulators)
    topics = {t.name: t for t in Topic.objects.all()}
    positions = {p.slug: p for p in PositionPage.objects.all()}
    organisations = {o.name: o for o in Organisation.objects.all()}
    user = users.get("secretariat")
    asks = {}
    for key, title, acronym, topic_names, slugs, org, seen, outcome, script in ASKS:
        raised = [
            meetings[s[1]].local_start.date()
            for s in script
            if s[0] == "raise" and s[1] in meetings
        ]
        ask = events.create(
            title=title,
            regulators=[regulators[acronym]],
            desired_outcome=outcome,
            visibility=seen,
            organisation=organisations.get(org),
            user=user,
            year=min(raised, default=timezone.localdate()).year,
        )
        ask.topics.set([topics[n] for n in topic_names if n in topics])
        ask.positions.set([positions[s] for s in slugs if s in positions])
        ask.save()
        asks[key] = ask
    # Then their histories: the asks a merge or a closing points to are all there.
    for key, *_, script in ASKS:
        _play(asks[key], script, meetings, asks, user)
