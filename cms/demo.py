"""Demo accounts: one per role. Their passwords are published in the README, so they are
only ever created on a development machine (DEBUG on). And the demo society of Settings ▸
Society, with a logo drawn here."""

DEMO_USERS = [
    # username, password, group, full name, superuser
    ("admin", "liaise-admin", None, "Ada Admin", True),
    ("editor", "liaise-editor", "Policy editors", "Elliot Editor", False),
    ("approver", "liaise-approver", "Policy approvers", "April Approver", False),
    ("delegate", "liaise-delegate", "Liaison delegates", "Dev Delegate", False),
    ("secretariat", "liaise-secretariat", "Secretariat", "Sam Secretariat", False),
]

# The zones demo users chose in their account settings: briefings show each delegate the
# meeting in their own time, and the shared copy lists the delegation's zones.
DEMO_ZONES = {"delegate": "Europe/London", "secretariat": "America/New_York"}


# The demo's society, as Settings ▸ Society holds it (cms.society).
SOCIETY = {
    "name": "Society for Cell and Gene Therapy Policy",
    "short_name": "SCGTP",
    "postal_address": "1200 Example Avenue NW, Suite 400\nWashington, DC 20005\nUnited States",
    "website": "https://scgtp.example.org",
    "paper_size": "a4",
}
LOGO_TITLE = "SCGTP logo"
LOGO_COLOUR = (13, 92, 99)  # the site's brand teal


def logo_png(initials, size=(480, 200), colour=LOGO_COLOUR):
    """A simple logo as PNG bytes: ``initials`` in white on a rounded rectangle of ``colour``,
    on a transparent background."""
    from io import BytesIO

    from PIL import Image, ImageDraw, ImageFont

    width, height = size
    image = Image.new("RGBA", size, (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, width - 1, height - 1), radius=height // 5, fill=colour)
    font = ImageFont.load_default(size=height // 2)
    draw.text((width / 2, height / 2), initials, font=font, fill="white", anchor="mm")
    out = BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def seed_society():
    """Fill in Settings ▸ Society with the demo society and its logo (a Wagtail image in the
    root collection), unless someone has already named the society. Adds nothing the second
    time: the logo is looked up by its title before one is made."""
    from django.core.files.images import ImageFile
    from wagtail.images import get_image_model
    from wagtail.models import Collection

    from cms.models import SocietySettings

    row = SocietySettings.load()
    if row.name.strip():
        return row
    Image = get_image_model()
    root = Collection.get_first_root_node()
    logo = Image.objects.filter(title=LOGO_TITLE, collection=root).order_by("pk").first()
    if logo is None:
        from io import BytesIO

        png = logo_png(SOCIETY["short_name"])
        logo = Image(
            title=LOGO_TITLE,
            collection=root,
            file=ImageFile(BytesIO(png), name="scgtp-logo.png"),
        )
        logo._set_image_file_metadata()
        logo.save()
    for field, value in SOCIETY.items():
        setattr(row, field, value)
    row.logo = logo
    row.save()
    return row
