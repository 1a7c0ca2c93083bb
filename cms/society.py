"""The society this installation belongs to, as everything that leaves the building names it.

``current(request=None)`` gives a ``Society``: the Settings ▸ Society row (``SocietySettings``)
as plain frozen data, with the fallbacks a fresh installation needs (the name from the
``SITE_NAME`` environment variable until someone sets it). Briefings, e-mail subjects and
signatures, calendar names and the admin's branding all read it here; the product's own name,
Liaise, appears only where the software is meant.

``logo_png(society)`` gives the logo as PNG bytes for documents (a rendition, so a large upload
does not bloat every briefing), or None.

The apps import this module; it imports neither of them.
"""

import dataclasses
import logging

from django.conf import settings

logger = logging.getLogger(__name__)

LOGO_RENDITION = "max-600x240|format-png"


@dataclasses.dataclass(frozen=True)
class Markings:
    """The wording of each classification marking."""

    confidential: str = "CONFIDENTIAL — delegation only"
    members: str = "MEMBERS ONLY"
    participants: str = "FOR MEETING PARTICIPANTS — not for publication"
    public: str = "PUBLIC"


@dataclasses.dataclass(frozen=True)
class Society:
    name: str
    short_name: str = ""
    postal_address: str = ""
    website: str = ""
    paper_size: str = "a4"  # "a4" or "letter"
    markings: Markings = Markings()
    logo_id: int | None = None

    @property
    def short(self):
        """The short name, or the full one."""
        return self.short_name or self.name

    @property
    def signature(self):
        """The lines that close an e-mail: name, address, website."""
        lines = [self.name, *(ln.strip() for ln in self.postal_address.splitlines())]
        if self.website:
            lines.append(self.website)
        return "\n".join(ln for ln in lines if ln)


def default():
    """The society before anyone has filled in Settings ▸ Society."""
    return Society(name=settings.SITE_NAME)


def current(request=None):
    """The society, from Settings ▸ Society (one query, cached on ``request`` if given)."""
    from cms.models import SocietySettings

    row = SocietySettings.load(request_or_site=request)
    fallback = Markings()
    return Society(
        name=" ".join(row.name.split()) or settings.SITE_NAME,
        short_name=" ".join(row.short_name.split()),
        postal_address=row.postal_address.strip(),
        website=row.website,
        paper_size=row.paper_size or "a4",
        markings=Markings(
            confidential=row.marking_confidential.strip() or fallback.confidential,
            members=row.marking_members.strip() or fallback.members,
            participants=row.marking_participants.strip() or fallback.participants,
            public=row.marking_public.strip() or fallback.public,
        ),
        logo_id=row.logo_id,
    )


def logo_png(society):
    """The society's logo as PNG bytes for a document, or None (no logo, or one that cannot be
    read or converted, which is logged: a briefing is still made without it)."""
    if not society.logo_id:
        return None
    from wagtail.images import get_image_model

    try:
        image = get_image_model().objects.get(pk=society.logo_id)
        rendition = image.get_rendition(LOGO_RENDITION)
        with rendition.file.open("rb") as handle:
            return handle.read()
    except Exception:
        logger.exception("The society's logo (image %s) cannot be used", society.logo_id)
        return None
