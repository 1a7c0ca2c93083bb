"""Plain helpers that build test data; one line per persona in permission tests."""

import datetime
import uuid

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

PASSWORD = "correct-horse-battery"


def make_user(*groups, superuser=False, **kwargs):
    username = kwargs.pop("username", f"user-{uuid.uuid4().hex[:10]}")
    user = get_user_model().objects.create_user(
        username=username,
        password=PASSWORD,
        email=kwargs.pop("email", f"{username}@example.org"),
        is_superuser=superuser,
        is_staff=superuser,
        **kwargs,
    )
    for name in groups:
        user.groups.add(Group.objects.get(name=name))
    return user


def publish(page, user=None):
    page.save_revision(user=user).publish(user=user)
    page.refresh_from_db()
    return page


def make_position_index(**kwargs):
    from advocacy.models import HomePage, PositionIndexPage

    kwargs.setdefault("title", "Policy positions")
    kwargs.setdefault("slug", "positions")
    index = HomePage.objects.get().add_child(instance=PositionIndexPage(**kwargs))
    return publish(index)


def make_position(index, *, topics=(), jurisdictions=(), live=True, **kwargs):
    from advocacy.models import PositionPage

    title = kwargs.setdefault("title", f"Position {uuid.uuid4().hex[:8]}")
    kwargs.setdefault("summary", f"Summary of {title}.")
    kwargs.setdefault("policy_status", PositionPage.Status.CONSULTATION)
    position = PositionPage(live=live, **kwargs)
    position.topics = list(topics)
    position.jurisdictions = list(jurisdictions)
    index.add_child(instance=position)
    return publish(position) if live else position


def make_response(index, **kwargs):
    from advocacy.models import ConsultationResponsePage

    kwargs.setdefault("title", "Comments on FDA potency guidance")
    kwargs.setdefault("agency", "FDA CBER")
    kwargs.setdefault("consultation_title", "Potency Assurance; Draft Guidance")
    kwargs.setdefault("reference_id", "FDA-2023-D-5027")
    kwargs.setdefault("summary", "We ask for assay matrices.")
    kwargs.setdefault("submitted_on", datetime.date(2024, 3, 22))
    topics = kwargs.pop("topics", [])
    relies_on = kwargs.pop("relies_on", [])
    response = ConsultationResponsePage(**kwargs)
    response.topics = topics
    response.relies_on = relies_on
    index.add_child(instance=response)
    return publish(response)


def make_topic(name="Potency assays"):
    from django.utils.text import slugify

    from advocacy.models import Topic

    return Topic.objects.create(name=name, slug=slugify(name))


def jurisdiction(code):
    from advocacy.models import Jurisdiction

    return Jurisdiction.objects.get(code=code)


# The demo's society (cms.demo), as Settings ▸ Society holds it once filled in.
SOCIETY = {
    "name": "Society for Cell and Gene Therapy Policy",
    "short_name": "SCGTP",
    "postal_address": "1200 Example Avenue NW, Suite 400\nWashington, DC 20005\nUnited States",
    "website": "https://scgtp.example.org",
}


def make_society(**fields):
    """Fill in Settings ▸ Society: the demo's SCGTP, with ``fields`` instead where given."""
    from cms.models import SocietySettings

    row = SocietySettings.load()
    for field, value in {**SOCIETY, **fields}.items():
        setattr(row, field, value)
    row.save()
    return row
