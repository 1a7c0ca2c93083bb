"""Demo content for the advocacy site: topics and a set of believable positions.

Every function is idempotent: objects are looked up by slug before anything is created.
"""

import datetime

from wagtail.models import Page

from advocacy.models import (
    ConsultationResponsePage,
    HomePage,
    Jurisdiction,
    PositionIndexPage,
    PositionPage,
    ResponseIndexPage,
    Topic,
)

TOPICS = [
    ("Accelerated approval", "Expedited pathways and confirmatory evidence."),
    ("Potency assays", "Measuring the biological activity that makes a product work."),
    ("Unproven cell therapies", "Clinics selling unapproved stem cell interventions."),
    ("Manufacturing and CMC", "Chemistry, manufacturing and controls, comparability."),
    ("Long-term follow-up", "Following patients for years after gene therapy."),
    ("Real-world evidence", "Registries and observational data in regulatory decisions."),
    ("Gene editing", "Genome editing products and their specific risks."),
    ("Hospital exemption", "Non-routine preparation of advanced therapies in hospitals."),
]

HOME_INTRO = (
    "<p>We are a professional society of scientists, clinicians and developers of cell and "
    "gene therapies. We publish the positions we take with regulators, our responses to their "
    "consultations, and the meetings where we put them forward.</p>"
)

S = PositionPage.Status

# slug, title, topics, jurisdictions, status, adopted, review_by, version, summary, recommendations
POSITIONS = [
    (
        "car-t-accelerated-approval-2021",
        "Accelerated approval for CAR-T cell products",
        ["Accelerated approval"],
        ["us"],
        S.SUPERSEDED,
        datetime.date(2021, 3, 15),
        datetime.date(2023, 3, 15),
        "1.0",
        "Regulators should accept durable complete response rates from single-arm trials as "
        "reasonably likely to predict clinical benefit for CAR-T products in refractory "
        "haematological cancers.",
        [
            "Accept durable complete response in single-arm trials.",
            "Agree confirmatory study designs before approval.",
        ],
    ),
    (
        "car-t-accelerated-approval",
        "Accelerated approval for CAR-T cell products (2024 update)",
        ["Accelerated approval", "Real-world evidence"],
        ["us", "ca"],
        S.ADOPTED,
        datetime.date(2024, 6, 4),
        datetime.date(2027, 6, 4),
        "2.0",
        "Accelerated approval remains the right pathway for CAR-T products in refractory "
        "disease, provided confirmatory trials are under way at approval and real-world "
        "registries are designed with the regulator from the start.",
        [
            "Confirmatory trials should be enrolling at the time of approval.",
            "Registry designs should be agreed with the regulator before launch.",
            "Withdrawal procedures should be predictable and published.",
        ],
    ),
    (
        "potency-assays",
        "Potency assays for cell and gene therapy products",
        ["Potency assays", "Manufacturing and CMC"],
        ["us", "eu", "global"],
        S.ADOPTED,
        datetime.date(2023, 9, 12),
        datetime.date(2026, 12, 12),
        "1.2",
        "A potency assay should reflect the product's mechanism of action, but a matrix of "
        "assays developed in phases should be acceptable when no single assay can.",
        [
            "Accept an assay matrix where one assay cannot capture the mechanism.",
            "Allow potency assays to mature between phase 1 and licensure.",
            "Publish worked examples of acceptable assay packages.",
        ],
    ),
    (
        "unproven-stem-cell-interventions",
        "Unproven stem cell interventions sold directly to patients",
        ["Unproven cell therapies"],
        ["global"],
        S.ADOPTED,
        datetime.date(2020, 11, 2),
        datetime.date(2025, 11, 2),
        "3.1",
        "Clinics that sell unapproved stem cell interventions put patients at risk and "
        "undermine legitimate research. Regulators should act on them and explain publicly why.",
        [
            "Enforce existing law against clinics marketing unapproved products.",
            "Publish plain-language warnings for patients.",
            "Share enforcement information between agencies.",
        ],
    ),
    (
        "long-term-follow-up",
        "Long-term follow-up after gene therapy",
        ["Long-term follow-up", "Real-world evidence"],
        ["us", "eu", "jp"],
        S.ADOPTED,
        datetime.date(2022, 5, 20),
        datetime.date(2027, 5, 20),
        "1.0",
        "Fifteen years of follow-up for every integrating vector is not always proportionate. "
        "Duration should follow the vector's risk, and registries should be shared.",
        [
            "Set follow-up duration by vector type and integration risk.",
            "Allow shared, cross-sponsor registries to fulfil follow-up obligations.",
        ],
    ),
    (
        "comparability-after-manufacturing-changes",
        "Comparability after manufacturing changes",
        ["Manufacturing and CMC"],
        ["us", "eu", "uk"],
        S.CONSULTATION,
        None,
        None,
        "0.9",
        "Sponsors need a risk-based route to show that a product made after a process change "
        "is comparable, without repeating clinical studies for every change.",
        [
            "Publish risk tiers for manufacturing changes.",
            "Accept analytical comparability for low-risk changes.",
        ],
    ),
    (
        "real-world-evidence-confirmatory",
        "Real-world evidence to confirm clinical benefit",
        ["Real-world evidence"],
        ["us", "ca", "eu"],
        S.CONSULTATION,
        None,
        None,
        "0.5",
        "Well-designed registries can confirm the benefit of rare-disease gene therapies where "
        "a randomised trial is not feasible.",
        [
            "Agree registry endpoints before approval.",
            "Accept external controls when randomisation is unethical.",
        ],
    ),
    (
        "hospital-exemption-eu",
        "The hospital exemption for advanced therapies in Europe",
        ["Hospital exemption"],
        ["eu"],
        S.ADOPTED,
        datetime.date(2023, 2, 28),
        datetime.date(2026, 2, 28),
        "1.1",
        "The hospital exemption should stay narrow: products made under it should meet "
        "equivalent quality standards and report outcomes to a shared registry.",
        [
            "Harmonise hospital exemption criteria across member states.",
            "Require outcome reporting to a European registry.",
        ],
    ),
    (
        "genome-editing-off-target",
        "Genome editing: assessing off-target effects",
        ["Gene editing"],
        ["global"],
        S.ADOPTED,
        datetime.date(2024, 10, 8),
        datetime.date(2027, 10, 8),
        "1.0",
        "Off-target assessment should combine in silico prediction with unbiased empirical "
        "methods, proportionate to the editing platform and the cells edited.",
        [
            "Accept a combination of predictive and empirical methods.",
            "Set expectations per platform rather than one rule for all.",
        ],
    ),
    (
        "point-of-care-manufacturing",
        "Point-of-care manufacturing of cell therapies",
        ["Manufacturing and CMC"],
        ["uk", "us"],
        S.CONSULTATION,
        None,
        None,
        "0.3",
        "Manufacturing at the point of care can widen access. A control-site model, as the "
        "MHRA has introduced, should be considered by other regulators.",
        [
            "Adopt a control-site model with central oversight.",
            "Clarify batch release responsibilities.",
        ],
    ),
    (
        "xenotransplantation-products",
        "Xenotransplantation products",
        ["Manufacturing and CMC"],
        ["us"],
        S.WITHDRAWN,
        datetime.date(2019, 4, 1),
        None,
        "1.0",
        "Withdrawn in 2024: the society no longer maintains a position on xenotransplantation, "
        "which falls outside its scope.",
        ["No longer maintained."],
    ),
]


# slug, title, agency, consultation title, url, reference, deadline, submitted, summary,
# positions relied on, topics, jurisdiction codes
RESPONSES = [
    (
        "fda-potency-assurance-draft-guidance",
        "Comments on FDA draft guidance on potency assurance for cell and gene therapy products",
        "FDA CBER",
        "Potency Assurance for Cellular and Gene Therapy Products; Draft Guidance for Industry",
        "https://www.regulations.gov/docket/FDA-2023-D-5027",
        "FDA-2023-D-5027",
        datetime.date(2024, 3, 27),
        datetime.date(2024, 3, 22),
        "We welcome the risk-based approach to potency assurance and ask FDA to accept assay "
        "matrices developed in phases, with worked examples in the final guidance.",
        ["potency-assays"],
        ["Potency assays", "Manufacturing and CMC"],
        ["us"],
    ),
    (
        "health-canada-agile-licensing-consultation",
        "Response to Health Canada's consultation on agile licensing of advanced therapies",
        "Health Canada",
        "Modernizing the regulation of advanced therapeutic products",
        "https://www.canada.ca/en/health-canada/programs/consultation-advanced-therapeutic-products.html",
        "HC-ATP-2024-07",
        datetime.date(2024, 9, 30),
        datetime.date(2024, 9, 26),
        "We support a pathway for advanced therapeutic products with terms and conditions, and "
        "ask that confirmatory evidence from registries be accepted.",
        ["car-t-accelerated-approval", "real-world-evidence-confirmatory"],
        ["Accelerated approval", "Real-world evidence"],
        ["ca"],
    ),
    (
        "ema-cat-concept-paper-comparability",
        "Comments on the EMA concept paper on comparability of advanced therapies",
        "EMA CAT",
        "Concept paper on the revision of the guideline on comparability of ATMPs",
        "https://www.ema.europa.eu/en/documents/scientific-guideline/concept-paper",
        "EMA/CAT/123456/2025",
        datetime.date(2025, 5, 31),
        datetime.date(2025, 5, 28),
        "A risk-tiered approach to manufacturing changes would let sponsors improve processes "
        "without repeating clinical studies for low-risk changes.",
        ["comparability-after-manufacturing-changes"],
        ["Manufacturing and CMC"],
        ["eu"],
    ),
    (
        "fda-long-term-follow-up-docket",
        "Comments on FDA's long-term follow-up guidance for gene therapy",
        "FDA CBER",
        "Long Term Follow-Up After Administration of Human Gene Therapy Products",
        "https://www.regulations.gov/docket/FDA-2018-D-2173",
        "FDA-2018-D-2173",
        datetime.date(2025, 10, 15),
        datetime.date(2025, 10, 10),
        "Follow-up duration should depend on the vector's integration risk; shared registries "
        "should satisfy follow-up obligations across sponsors.",
        ["long-term-follow-up"],
        ["Long-term follow-up"],
        ["us"],
    ),
]


def seed_topics():
    from django.utils.text import slugify

    return {
        name: Topic.objects.get_or_create(
            slug=slugify(name), defaults={"name": name, "description": description}
        )[0]
        for name, description in TOPICS
    }


def child_by_slug(parent, slug):
    return Page.objects.child_of(parent).filter(slug=slug).specific().first()


def publish(page, user=None):
    page.save_revision(user=user, log_action=True).publish(user=user)


def seed_site(owner=None):
    """Create the home page text, the position index and the positions; return the index."""
    home = HomePage.objects.get(depth=2)
    if not home.intro:
        home.title = "Cell and Gene Therapy Society"
        home.intro = HOME_INTRO
        publish(home, owner)

    index = child_by_slug(home, "positions")
    if index is None:
        index = home.add_child(
            instance=PositionIndexPage(
                title="Policy positions",
                slug="positions",
                intro="<p>What the society asks of regulators, and why.</p>",
            )
        )
        publish(index, owner)

    topics = seed_topics()
    jurisdictions = {j.code: j for j in Jurisdiction.objects.all()}
    created = {}
    for row in POSITIONS:
        slug, title, topic_names, codes, status, adopted, review, version, summary, recs = row
        page = child_by_slug(index, slug)
        if page is None:
            page = PositionPage(
                title=title,
                slug=slug,
                summary=summary,
                policy_status=status,
                adopted_on=adopted,
                review_by=review,
                version_label=version,
                policy_owner=owner,
                body=[
                    ("paragraph", f"<p>{summary}</p>"),
                    ("recommendations", {"title": "Key recommendations", "items": recs}),
                ],
            )
            page.topics = [topics[name] for name in topic_names]
            page.jurisdictions = [jurisdictions[code] for code in codes]
            index.add_child(instance=page)
            publish(page, owner)
        created[slug] = page

    successor = created["car-t-accelerated-approval"]
    if successor.supersedes_id is None:
        successor.supersedes = created["car-t-accelerated-approval-2021"]
        publish(successor, owner)

    seed_responses(home, created, topics, jurisdictions, owner)
    return index


def seed_responses(home, positions, topics, jurisdictions, owner):
    index = child_by_slug(home, "consultation-responses")
    if index is None:
        index = home.add_child(
            instance=ResponseIndexPage(
                title="Consultation responses",
                slug="consultation-responses",
                intro="<p>Our comment letters to regulators' consultations.</p>",
            )
        )
        publish(index, owner)
    for row in RESPONSES:
        slug, title, agency, c_title, url, ref, deadline, submitted, summary = row[:9]
        relies_on, topic_names, codes = row[9:]
        if child_by_slug(index, slug) is not None:
            continue
        page = ConsultationResponsePage(
            title=title,
            slug=slug,
            agency=agency,
            consultation_title=c_title,
            consultation_url=url,
            reference_id=ref,
            comment_deadline=deadline,
            submitted_on=submitted,
            summary=summary,
            body=f"<p>{summary}</p>",
        )
        page.relies_on = [positions[s] for s in relies_on]
        page.topics = [topics[name] for name in topic_names]
        page.jurisdictions = [jurisdictions[code] for code in codes]
        index.add_child(instance=page)
        publish(page, owner)
