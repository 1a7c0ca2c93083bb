"""Demo data for the liaison app: the regulators a cell and gene therapy society meets,
its member and stakeholder organisations, and the people there. Idempotent."""

import datetime
import zoneinfo

from django.utils import timezone

from advocacy.models import Jurisdiction
from liaison.models import Contact, Organisation, Regulator

# name, acronym, jurisdiction code, time zone, website
REGULATORS = [
    (
        "FDA Center for Biologics Evaluation and Research, Office of Therapeutic Products",
        "FDA CBER OTP",
        "us",
        "America/New_York",
        "https://www.fda.gov/about-fda/center-biologics-evaluation-and-research-cber/"
        "office-therapeutic-products-otp",
    ),
    (
        "Health Canada Biologic and Radiopharmaceutical Drugs Directorate",
        "Health Canada BRDD",
        "ca",
        "America/Toronto",
        "https://www.canada.ca/en/health-canada/corporate/about-health-canada/"
        "branches-agencies/health-products-food-branch/"
        "biologic-radiopharmaceutical-drugs-directorate.html",
    ),
    (
        "European Medicines Agency Committee for Advanced Therapies",
        "EMA CAT",
        "eu",
        "Europe/Amsterdam",
        "https://www.ema.europa.eu/en/committees/committee-advanced-therapies-cat",
    ),
    (
        "Pharmaceuticals and Medical Devices Agency",
        "PMDA",
        "jp",
        "Asia/Tokyo",
        "https://www.pmda.go.jp/english/",
    ),
    (
        "Medicines and Healthcare products Regulatory Agency",
        "MHRA",
        "uk",
        "Europe/London",
        "https://www.gov.uk/government/organisations/"
        "medicines-and-healthcare-products-regulatory-agency",
    ),
]

ORGANISATIONS = [
    ("Northbridge Cell Therapeutics", Organisation.Kind.MEMBER, "https://northbridge.example.com"),
    ("Helix Vector Manufacturing", Organisation.Kind.MEMBER, "https://helixvector.example.com"),
    ("Academic Cell Therapy Consortium", Organisation.Kind.MEMBER, "https://actc.example.org"),
    (
        "Alliance for Regenerative Patients",
        Organisation.Kind.STAKEHOLDER,
        "https://arp.example.org",
    ),
    (
        "Canadian Stem Cell Patients Network",
        Organisation.Kind.STAKEHOLDER,
        "https://cscpn.example.ca",
    ),
]

# name, title, e-mail, regulator acronym or None, organisation name or None
CONTACTS = [
    (
        "Dr Elena Marsh",
        "Director, Office of Cellular Therapy and Human Tissue",
        "elena.marsh@fda.example.gov",
        "FDA CBER OTP",
        None,
    ),
    (
        "Dr Samuel Okafor",
        "Branch Chief, Gene Therapy",
        "samuel.okafor@fda.example.gov",
        "FDA CBER OTP",
        None,
    ),
    (
        "Dr Isabelle Tremblay",
        "Director General",
        "isabelle.tremblay@hc-sc.example.ca",
        "Health Canada BRDD",
        None,
    ),
    ("Dr Lukas Verhoeven", "CAT Chair", "lukas.verhoeven@ema.example.eu", "EMA CAT", None),
    (
        "Dr Aiko Tanaka",
        "Office of Cellular and Tissue-based Products",
        "aiko.tanaka@pmda.example.jp",
        "PMDA",
        None,
    ),
    (
        "Dr Hannah Price",
        "Head of Advanced Therapies",
        "hannah.price@mhra.example.gov.uk",
        "MHRA",
        None,
    ),
    (
        "Priya Raman",
        "Head of Regulatory Affairs",
        "priya.raman@northbridge.example.com",
        None,
        "Northbridge Cell Therapeutics",
    ),
    (
        "Tomás García",
        "VP Quality",
        "tomas.garcia@helixvector.example.com",
        None,
        "Helix Vector Manufacturing",
    ),
    (
        "Grace Liu",
        "Patient Advocate",
        "grace.liu@arp.example.org",
        None,
        "Alliance for Regenerative Patients",
    ),
    (
        "Jean-Marc Dubois",
        "Executive Director",
        "jm.dubois@cscpn.example.ca",
        None,
        "Canadian Stem Cell Patients Network",
    ),
]


def seed_directory():
    jurisdictions = {j.code: j for j in Jurisdiction.objects.all()}
    regulators = {}
    for name, acronym, code, zone, website in REGULATORS:
        regulators[acronym], _ = Regulator.objects.get_or_create(
            name=name,
            defaults={
                "acronym": acronym,
                "jurisdiction": jurisdictions[code],
                "time_zone": zone,
                "website": website,
                "listed_publicly": True,
            },
        )
    # Every demo regulator is listed on the public site (a page and a feed from day one),
    # in a database seeded before the flag too. save(), not update(): the public pages'
    # cache must hear of it (cms.pagecache).
    for regulator in regulators.values():
        if not regulator.listed_publicly:
            regulator.listed_publicly = True
            regulator.save(update_fields=["listed_publicly"])
    organisations = {}
    for name, kind, website in ORGANISATIONS:
        organisations[name], _ = Organisation.objects.get_or_create(
            name=name, defaults={"kind": kind, "website": website}
        )
    for name, title, email, regulator, organisation in CONTACTS:
        Contact.objects.get_or_create(
            email=email,
            defaults={
                "name": name,
                "job_title": title,
                "regulator": regulators.get(regulator),
                "organisation": organisations.get(organisation),
            },
        )
    return regulators


def at(zone, days, hour, minute=0):
    """An instant about `days` from today at `hour`:`minute` local time in `zone`, on a
    weekday there: regulators do not meet at weekends, so a day that falls on a Saturday or
    Sunday in `zone` moves on to the Monday. (No demo meeting is within two days of today,
    so this never moves a held meeting into the future.)"""
    from liaison.meetings.timezones import make_aware

    day = timezone.localdate(timezone=zoneinfo.ZoneInfo(zone)) + datetime.timedelta(days=days)
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)), zone, "earlier")


# Agenda items: title, minutes, presenter, ask, background, talking points, cited position
# slugs, confidential, regulator response, decision.
AGENDA = {
    "potency": (
        "Potency assay matrices for CAR-T products",
        40,
        "Priya Raman",
        "Accept a matrix of orthogonal assays at pivotal stage instead of one functional assay.",
        "Sponsors struggle to validate a single functional potency assay before pivotal "
        "trials; matrix approaches are common in the EU.",
        "Share the member survey (23 sponsors).\nOffer three worked examples.",
        ["potency-assays"],
        False,
        "Open to matrices where each assay is justified against the mechanism of action.",
        "Society to send worked examples within 60 days.",
    ),
    "ltfu": (
        "Long-term follow-up: 15 years or risk-based?",
        30,
        "Dev Delegate",
        "Move to risk-based follow-up durations for non-integrating vectors.",
        "Current guidance asks for 15 years for all integrating vectors.",
        "Registry data from 4,000 patients shows no late events after year 5 for AAV.",
        ["long-term-follow-up"],
        False,
        "",
        "",
    ),
    "clinics": (
        "Unproven stem cell clinics: enforcement cases",
        20,
        "Sam Secretariat",
        "Ask for a named contact for member reports of clinics.",
        "Three member companies report clinics citing their trials in adverts.",
        "Names of the clinics are in the confidential annex; do not read them out.",
        ["unproven-stem-cell-interventions"],
        True,
        "Agreed to a named contact in the compliance office.",
        "",
    ),
    "comparability": (
        "Comparability after manufacturing changes",
        30,
        "Tomás García",
        "Agree a tiered approach to comparability for process changes after approval.",
        "Members change vectors suppliers and sites more often than guidance assumes.",
        "Bring the case study on the viral vector supplier switch.",
        ["comparability-after-manufacturing-changes"],
        False,
        "Will consider a tiered approach in the next guidance revision.",
        "Society to submit two case studies.",
    ),
    "rwe": (
        "Real-world evidence for confirmatory studies",
        25,
        "Dev Delegate",
        "Accept registry data as confirmatory evidence for accelerated approvals.",
        "",
        "",
        ["real-world-evidence-confirmatory", "car-t-accelerated-approval-2021"],
        False,
        "",
        "",
    ),
    "hospital": (
        "Hospital exemption: a common EU reading",
        30,
        "Dr Lukas Verhoeven (CAT)",
        "Support a common reading of the hospital exemption across member states.",
        "Member states apply the exemption very differently.",
        "Avoid commenting on individual member states.",
        ["hospital-exemption-eu"],
        False,
        "",
        "",
    ),
    "editing": (
        "Off-target analysis for genome-edited products",
        45,
        "Priya Raman",
        "Agree on a common minimum off-target analysis package.",
        "",
        "Bring the consortium's draft package.",
        ["genome-editing-off-target"],
        False,
        "",
        "",
    ),
    "budget": (
        "Society funding for the joint registry (internal)",
        15,
        "Sam Secretariat",
        "None: internal item to agree our line if asked.",
        "Board approved CAD 120,000 for 2027.",
        "Do not disclose the amount.",
        [],
        True,
        "",
        "",
    ),
}

# title, kind, regulator acronyms, days from today, local start hour, length in hours,
# location, join link, status, visibility, agenda keys, public summary, objectives
MEETINGS = [
    (
        "Annual Cell Therapy Liaison Meeting 2026",
        "liaison",
        ["Health Canada BRDD"],
        21,
        9,
        3,
        "Holland Cross, 1600 Scott Street, Ottawa",
        "",
        "confirmed",
        "public",
        ["potency", "ltfu", "clinics", "comparability"],
        "",
        "Agree next steps on potency matrices and follow-up durations; raise clinic reports.",
    ),
    (
        "Annual Cell Therapy Liaison Meeting 2025",
        "liaison",
        ["Health Canada BRDD"],
        -344,
        9,
        3,
        "Holland Cross, 1600 Scott Street, Ottawa",
        "",
        "held",
        "public",
        ["potency", "comparability", "budget"],
        "Health Canada and the society discussed potency assay matrices and comparability "
        "after manufacturing changes. Health Canada is open to matrix approaches and will "
        "consider a tiered approach to comparability.",
        "Open the potency discussion; test appetite for tiered comparability.",
    ),
    (
        "FDA OTP working call: potency assay matrices",
        "call",
        ["FDA CBER OTP"],
        -40,
        11,
        1,
        "",
        "https://meet.example.org/j/fda-otp-potency",
        "held",
        "members",
        ["potency"],
        "",
        "Follow up the written comments on potency.",
    ),
    (
        "FDA OTP listening session on long-term follow-up",
        "workshop",
        ["FDA CBER OTP"],
        10,
        13,
        2,
        "",
        "https://meet.example.org/j/fda-ltfu-listening",
        "planned",
        "public",
        ["ltfu", "rwe"],
        "",
        "Present registry data; ask for risk-based durations.",
    ),
    (
        "EMA CAT interested parties meeting",
        "liaison",
        ["EMA CAT"],
        45,
        10,
        4,
        "European Medicines Agency, Domenico Scarlattilaan 6, Amsterdam",
        "",
        "confirmed",
        "public",
        ["hospital", "editing", "comparability"],
        "",
        "Support a common reading of the hospital exemption.",
    ),
    (
        "PMDA consultation on conditional approval",
        "liaison",
        ["PMDA"],
        60,
        14,
        2,
        "PMDA, Shin-Kasumigaseki Building, Tokyo",
        "",
        "planned",
        "members",
        ["rwe", "potency"],
        "",
        "Understand PMDA's expectations for confirmatory evidence after conditional approval.",
    ),
    (
        "Confidential call: unproven clinic enforcement",
        "call",
        ["FDA CBER OTP"],
        -12,
        15,
        1,
        "",
        "https://meet.example.org/j/fda-clinics",
        "held",
        "confidential",
        ["clinics"],
        "",
        "Hand over member reports of clinics.",
    ),
    (
        "MHRA pre-submission roundtable",
        "workshop",
        ["MHRA"],
        -100,
        10,
        3,
        "10 South Colonnade, Canary Wharf, London",
        "",
        "held",
        "members",
        ["comparability", "editing"],
        "",
        "Learn MHRA's view of comparability after the new framework.",
    ),
    (
        "Joint FDA–Health Canada summit on genome editing",
        "summit",
        ["FDA CBER OTP", "Health Canada BRDD"],
        120,
        9,
        6,
        "Washington Convention Center, Washington DC",
        "",
        "planned",
        "public",
        ["editing", "ltfu", "budget"],
        "",
        "Converge on one off-target package for both agencies.",
    ),
    (
        "EMA CAT call on hospital exemption",
        "call",
        ["EMA CAT"],
        30,
        16,
        1,
        "",
        "https://meet.example.org/j/ema-he",
        "cancelled",
        "members",
        ["hospital"],
        "",
        "",
    ),
]

# What each meeting is for: its public description (Meeting.description), by title. Public
# text: the public page of a public meeting, every calendar and invitation, the pre-read.
DESCRIPTIONS = {
    "Annual Cell Therapy Liaison Meeting 2026": (
        "The annual Cell Therapy Liaison Meeting between the Society and Health Canada's "
        "Biologic and Radiopharmaceutical Drugs Directorate. This year's topics are potency "
        "assurance, long-term follow-up of gene therapy patients, unproven clinics and "
        "comparability after manufacturing changes."
    ),
    "Annual Cell Therapy Liaison Meeting 2025": (
        "The annual Cell Therapy Liaison Meeting between the Society and Health Canada's "
        "Biologic and Radiopharmaceutical Drugs Directorate, on potency assay matrices and "
        "comparability after manufacturing changes."
    ),
    "FDA OTP working call: potency assay matrices": (
        "A working call with FDA's Office of Therapeutic Products following up the Society's "
        "written comments on potency assays for CAR-T products: whether a matrix of "
        "orthogonal assays can support pivotal trials."
    ),
    "FDA OTP listening session on long-term follow-up": (
        "A listening session held by FDA's Office of Therapeutic Products on how long patients "
        "who receive gene therapies should be followed up. The Society presents registry "
        "data, and speaks for risk-based durations."
    ),
    "EMA CAT interested parties meeting": (
        "The Committee for Advanced Therapies' yearly meeting with interested parties. On "
        "the agenda: the hospital exemption across member states, off-target analysis for "
        "genome-edited products and comparability."
    ),
    "PMDA consultation on conditional approval": (
        "A consultation with PMDA on conditional and time-limited approval of regenerative "
        "medical products in Japan: what confirmatory evidence it expects after approval, "
        "and what role real-world data can play."
    ),
    "Confidential call: unproven clinic enforcement": (
        "A call with FDA's Office of Therapeutic Products on how member companies can report "
        "clinics that market unproven cell therapies, and who at the agency follows them up."
    ),
    "MHRA pre-submission roundtable": (
        "A roundtable with the MHRA for sponsors preparing submissions for advanced therapies "
        "under the new clinical trials framework, on comparability and genome-edited "
        "products."
    ),
    "Joint FDA–Health Canada summit on genome editing": (
        "A one-day summit of FDA and Health Canada with developers of genome-edited "
        "therapies, toward one off-target analysis package and one approach to long-term "
        "follow-up that both agencies can accept."
    ),
    "EMA CAT call on hospital exemption": (
        "A call with the Committee for Advanced Therapies on how member states apply the "
        "hospital exemption for advanced therapies."
    ),
}

# meeting title, description, owner ("user:<name>", "regulator:<acronym>",
# "organisation:<name>"), due in days from today, status
ACTIONS = [
    (
        "Annual Cell Therapy Liaison Meeting 2025",
        "Send three worked examples of potency matrices",
        "user:delegate",
        -284,
        "done",
    ),
    (
        "Annual Cell Therapy Liaison Meeting 2025",
        "Publish the revised comparability guidance for consultation",
        "regulator:Health Canada BRDD",
        -30,
        "open",
    ),
    (
        "FDA OTP working call: potency assay matrices",
        "Share the draft guidance timeline for potency",
        "regulator:FDA CBER OTP",
        -10,
        "open",
    ),
    (
        "FDA OTP working call: potency assay matrices",
        "Circulate the call notes to the potency working group",
        "user:secretariat",
        -33,
        "done",
    ),
    (
        "FDA OTP working call: potency assay matrices",
        "Collect member data on assay failure rates",
        "user:delegate",
        5,
        "in_progress",
    ),
    (
        "Confidential call: unproven clinic enforcement",
        "Send the clinic dossier to the compliance office",
        "user:delegate",
        -2,
        "open",
    ),
    (
        "MHRA pre-submission roundtable",
        "Submit two comparability case studies",
        "organisation:Helix Vector Manufacturing",
        14,
        "open",
    ),
    (
        "MHRA pre-submission roundtable",
        "Confirm the date of the next roundtable",
        "regulator:MHRA",
        -60,
        "dropped",
    ),
]


# Papers attached to the meetings: meeting title, agenda key (None: the whole meeting),
# document title, shared with, one line of text. The clinic dossier is marked for invitees,
# but belongs to a confidential item: it stays with the delegation.
MATERIALS = [
    (
        "Annual Cell Therapy Liaison Meeting 2026",
        None,
        "Delegation speaking notes",
        "delegation",
        "Who says what, and the lines we hold on potency and follow-up.",
    ),
    (
        "Annual Cell Therapy Liaison Meeting 2026",
        "potency",
        "Worked examples of potency assay matrices",
        "invitees",
        "Three worked examples of orthogonal assay matrices at pivotal stage.",
    ),
    (
        "Annual Cell Therapy Liaison Meeting 2026",
        "potency",
        "Member survey on potency assays (summary)",
        "public",
        "23 sponsors answered; most use two or more orthogonal assays.",
    ),
    (
        "Annual Cell Therapy Liaison Meeting 2026",
        "clinics",
        "Clinic dossier (confidential annex)",
        "invitees",
        "Names of the clinics reported by members. Do not circulate.",
    ),
]


def _pdf(text):
    """A one-page PDF saying ``text`` (ASCII): small, valid, made without a library."""
    line = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    content = f"BT /F1 14 Tf 72 770 Td ({line}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def seed_materials(meetings, users):
    """The demo papers, uploaded into the protected "Meeting materials" collection and
    attached to their meetings. Adds nothing the second time."""
    from django.core.files.base import ContentFile
    from django.utils.text import slugify
    from wagtail.documents import get_document_model

    from liaison.meetings import materials
    from liaison.models import MeetingMaterial

    collection = materials.collection()
    if collection is None:
        return
    Document = get_document_model()
    for title, key, document_title, audience, text in MATERIALS:
        meeting = meetings.get(title)
        if meeting is None:
            continue
        item = meeting.agenda_items.filter(title=AGENDA[key][0]).first() if key else None
        if MeetingMaterial.objects.filter(
            meeting=meeting, document__title=document_title
        ).exists():
            continue
        content = _pdf(text)
        document = Document(
            title=document_title,
            collection=collection,
            file=ContentFile(content, name=f"{slugify(document_title)}.pdf"),
            uploaded_by_user=users.get("secretariat"),
        )
        document._set_document_file_metadata()
        document.save()
        MeetingMaterial.objects.create(
            meeting=meeting,
            agenda_item=item,
            document=document,
            audience=audience,
            added_by=users.get("secretariat"),
        )


def seed_meetings(users):
    """The demo meetings, agenda items, outcomes and actions. Adds nothing the second time."""
    from advocacy.models import PositionPage
    from liaison.models import ActionItem, AgendaItem, Meeting

    regulators = {r.acronym: r for r in Regulator.objects.all()}
    positions = {p.slug: p for p in PositionPage.objects.all()}
    contacts = list(Contact.objects.select_related("regulator", "organisation").order_by("name"))
    delegation = [u for key, u in users.items() if key in ("delegate", "secretariat")]
    meetings = {}
    for (
        title, kind, acronyms, days, hour, hours, location, join_url, status, visibility,
        agenda, summary, objectives,
    ) in MEETINGS:  # fmt: skip
        meeting = Meeting.objects.filter(title=title).first()
        description = DESCRIPTIONS.get(title, "")
        if meeting is not None and description and not meeting.description:
            # A database seeded before descriptions: fill them in, never overwrite one.
            meeting.description = description
            meeting.save(update_fields=["description", "updated_at"])
        if meeting is None:
            zone = regulators[acronyms[0]].time_zone
            starts = at(zone, days, hour)
            meeting = Meeting(
                title=title,
                kind=kind,
                time_zone=zone,
                starts_at=starts,
                ends_at=starts + datetime.timedelta(hours=hours),
                location=location,
                join_url=join_url,
                status=status,
                visibility=visibility,
                organiser=users.get("secretariat"),
                description=description,
                objectives=objectives,
                public_summary=summary,
            )
            meeting.regulators = [regulators[a] for a in acronyms]
            meeting.delegation = delegation
            # Officials of this meeting's own regulators only, and one member company's
            # representative (not an official of another regulator).
            meeting.attendees = [
                c for c in contacts if c.regulator and c.regulator.acronym in acronyms
            ] + [
                c
                for c in contacts
                if c.organisation and c.organisation.kind == Organisation.Kind.MEMBER
            ][:1]
            held = status == "held"
            items = []
            for order, key in enumerate(agenda):
                (item_title, minutes, presenter, ask, background, points, slugs, secret,
                 response, decision) = AGENDA[key]  # fmt: skip
                item = AgendaItem(
                    title=item_title,
                    duration_minutes=minutes,
                    presenter=presenter,
                    ask=ask,
                    background=background,
                    talking_points=points,
                    confidential=secret,
                    regulator_response=response if held else "",
                    decision=decision if held else "",
                    sort_order=order,
                )
                item.cited_positions = [positions[s] for s in slugs if s in positions]
                items.append(item)
            meeting.agenda_items = items
            meeting.save()
        meetings[title] = meeting

    for title, description, owner, due_in, status in ACTIONS:
        meeting = meetings[title]
        if ActionItem.objects.filter(meeting=meeting, description=description).exists():
            continue
        kind, name = owner.split(":", 1)
        owners = {
            "owner": users.get(name) if kind == "user" else None,
            "owner_regulator": regulators.get(name) if kind == "regulator" else None,
            "owner_organisation": (
                Organisation.objects.filter(name=name).first() if kind == "organisation" else None
            ),
        }
        if not any(owners.values()):
            # Without demo accounts, a person's action is owned by the member organisation.
            owners["owner_organisation"] = Organisation.objects.order_by("name").first()
        due = timezone.localdate() + datetime.timedelta(days=due_in)
        ActionItem.objects.create(
            meeting=meeting,
            description=description,
            due_date=due,
            status=status,
            completed_on=due if status == "done" else None,
            **owners,
        )
    seed_materials(meetings, users)
    return meetings


def weekday_on_or_after(day, weekday=None):
    """``day``, or the next weekday (the next ``weekday``, 0 = Monday, when given)."""
    while day.weekday() >= 5 or (weekday is not None and day.weekday() != weekday):
        day += datetime.timedelta(days=1)
    return day


CTLM = "Cell Therapy Liaison Meeting"
CTLM_DESCRIPTION = (
    "The society's annual day-long liaison meeting with Health Canada's Biologic and "
    "Radiopharmaceutical Drugs Directorate: member organisations bring their topics, the "
    "directorate answers, and the year's follow-ups are agreed."
)
MONTHLY = "Monthly call with FDA OTP"
MONTHLY_DESCRIPTION = (
    "A short monthly call with FDA's Office of Therapeutic Products to follow up the asks of "
    "the liaison meetings between them."
)
SUMMIT = "Policy Summit on Advanced Therapies"
SUMMIT_DESCRIPTION = (
    "Two days with FDA, EMA and MHRA on aligning expectations for potency, comparability and "
    "long-term follow-up across agencies; open to member organisations."
)


def seed_series(users):
    """The demo's series and day-long meetings, on weekdays: the annual liaison meeting as a
    series without a rule over three years (this year's and last year's meetings and one
    held all day two years ago), a monthly call made by a rule with one meeting cancelled and one moved, and a
    two-day summit. Adds nothing the second time."""
    from liaison.meetings import recurrence, series
    from liaison.meetings.models import (
        AgendaItem,
        Meeting,
        MeetingSeries,
        SeriesAgendaItem,
        all_day_bounds,
    )

    regulators = {r.acronym: r for r in Regulator.objects.all()}
    delegation = [u for key, u in users.items() if key in ("delegate", "secretariat")]
    organiser = users.get("secretariat")
    today = timezone.localdate()
    contacts = list(Contact.objects.select_related("regulator", "organisation").order_by("name"))

    def officials(*acronyms):
        """Officials of these regulators and one member company's representative."""
        return [c for c in contacts if c.regulator and c.regulator.acronym in acronyms] + [
            c
            for c in contacts
            if c.organisation and c.organisation.kind == Organisation.Kind.MEMBER
        ][:1]

    # The annual meeting: each year's date chosen, so a series without a rule.
    hc = regulators["Health Canada BRDD"]
    ctlm = MeetingSeries.objects.filter(title=CTLM).first()
    if ctlm is None:
        ctlm = MeetingSeries(
            title=CTLM,
            kind=Meeting.Kind.LIAISON,
            visibility=Meeting.Visibility.PUBLIC,
            description=CTLM_DESCRIPTION,
            time_zone=hc.time_zone,
            location="Holland Cross, 1600 Scott Street, Ottawa",
            organiser=organiser,
        )
        ctlm.regulators = [hc]
        ctlm.delegation = delegation
        ctlm.save()
        Meeting.objects.filter(
            title__startswith="Annual Cell Therapy Liaison Meeting", visibility="public"
        ).update(series=ctlm)
    if not ctlm.meetings.filter(all_day=True).exists():
        # Two years ago, a Thursday in the second half of November, held all day.
        day = weekday_on_or_after(datetime.date(today.year - 2, 11, 15), weekday=3)
        starts, ends = all_day_bounds(day, day, hc.time_zone)
        meeting = Meeting(
            title=f"Annual Cell Therapy Liaison Meeting {day.year}",
            series=ctlm,
            kind=Meeting.Kind.LIAISON,
            all_day=True,
            time_zone=hc.time_zone,
            starts_at=starts,
            ends_at=ends,
            location=ctlm.location,
            status=Meeting.Status.HELD,
            visibility=Meeting.Visibility.PUBLIC,
            organiser=organiser,
            description=CTLM_DESCRIPTION,
            public_summary="The first liaison meeting held over a whole day: potency "
            "assays in the morning, long-term follow-up in the afternoon.",
        )
        meeting.regulators = [hc]
        meeting.delegation = delegation
        meeting.attendees = officials(hc.acronym)
        meeting.agenda_items = [
            AgendaItem(title="Potency assays for CAR-T products", duration_minutes=90),
            AgendaItem(title="Long-term follow-up durations", duration_minutes=90, sort_order=1),
        ]
        meeting.save()

    # The monthly call: made by its rule, the second Tuesday at 11:00 in Washington.
    fda = regulators["FDA CBER OTP"]
    monthly = MeetingSeries.objects.filter(title=MONTHLY).first()
    if monthly is not None and not monthly.meetings.exists():
        # Its meetings were deleted (a demo reset): the rule makes them again.
        monthly.delete()
        monthly = None
    if monthly is None:
        zone = zoneinfo.ZoneInfo(fda.time_zone)
        month = today.replace(day=1) - datetime.timedelta(days=75)
        first_day = weekday_on_or_after(month.replace(day=8), weekday=1)
        monthly = MeetingSeries(
            title=MONTHLY,
            kind=Meeting.Kind.WORKING_CALL,
            visibility=Meeting.Visibility.PUBLIC,
            description=MONTHLY_DESCRIPTION,
            time_zone=fda.time_zone,
            join_url="https://meet.example.org/fda-otp-monthly",
            organiser=organiser,
            frequency=recurrence.Frequency.MONTHLY_WEEKDAY,
            first_start=datetime.datetime.combine(
                first_day, datetime.time(11), tzinfo=zone
            ).astimezone(datetime.UTC),
            duration_minutes=45,
            count=8,
        )
        monthly.regulators = [fda]
        monthly.delegation = delegation
        monthly.agenda_template = [
            SeriesAgendaItem(title="Open actions from earlier meetings", duration_minutes=15)
        ]
        monthly.save()
        made = series.schedule(monthly)
        for meeting in made:
            meeting.attendees.set(officials(fda.acronym))
            meeting.save()
        now = timezone.now()
        past = [m for m in made if m.starts_at < now]
        ahead = [m for m in made if m.starts_at >= now]
        for meeting in past:
            meeting.status = Meeting.Status.HELD
            meeting.save()
        if len(ahead) >= 2:
            cancelled, moved = ahead[0], ahead[1]
            cancelled.status = Meeting.Status.CANCELLED
            cancelled.save()
            # Moved to the Wednesday, same time.
            moved.starts_at += datetime.timedelta(days=1)
            moved.ends_at += datetime.timedelta(days=1)
            moved.save()

    # A two-day summit, Tuesday and Wednesday, entered by its days.
    if not Meeting.objects.filter(title=SUMMIT).exists():
        first = weekday_on_or_after(today + datetime.timedelta(days=45), weekday=1)
        last = first + datetime.timedelta(days=1)
        starts, ends = all_day_bounds(first, last, fda.time_zone)
        summit = Meeting(
            title=SUMMIT,
            kind=Meeting.Kind.SUMMIT,
            all_day=True,
            time_zone=fda.time_zone,
            starts_at=starts,
            ends_at=ends,
            location="Walter E. Washington Convention Center, Washington, DC",
            status=Meeting.Status.CONFIRMED,
            visibility=Meeting.Visibility.PUBLIC,
            organiser=organiser,
            description=SUMMIT_DESCRIPTION,
        )
        summit.regulators = [
            regulators[a] for a in ("FDA CBER OTP", "EMA CAT", "MHRA") if a in regulators
        ]
        summit.delegation = delegation
        summit.attendees = officials(*(r.acronym for r in summit.regulators.all()))
        summit.agenda_items = [
            AgendaItem(
                title="Potency: one matrix for three agencies?", duration_minutes=120, day=1
            ),
            AgendaItem(
                title="Comparability after manufacturing changes",
                duration_minutes=120,
                day=1,
                sort_order=1,
            ),
            AgendaItem(
                title="Long-term follow-up: durations and registries",
                duration_minutes=120,
                day=2,
                sort_order=2,
            ),
        ]
        summit.save()
