"""Demo data for the liaison app: the regulators a cell and gene therapy society meets,
its member and stakeholder organisations, and the people there. Idempotent."""

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
            },
        )
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
