"""Build thousands of published positions in a few bulk inserts.

Used by the query-count tests (tests/advocacy/test_index_queries.py) and the index benchmark
(bench/bench_position_index.py). `Page.add_child` saves one page at a time, with validation,
a slug check, logging and a search-index update each, which takes minutes for 2,000 pages.
These helpers write the same rows that treebeard and Wagtail would write:

- `path` continues after the parent's last child, one 4-character base-36 step per child
  (treebeard's `MP_Node._get_path`), with `depth` one below the parent and `numchild` 0;
- `url_path` is the parent's `url_path` plus the slug, `locale` is the parent's;
- the parent's `numchild` is raised by the number of pages added;
- topics and jurisdictions go into the M2M through tables;
- every search backend that auto-updates gets the new pages in one `add_bulk` call.

Django's `bulk_create` refuses multi-table inherited models, so the `wagtailcore_page` rows
are bulk-created first and the `advocacy_positionpage` rows are then inserted with the
returned primary keys, in batches.

Every position is built from `position_spec(n)`, so a test can work out which positions a
filter should match without asking the database.
"""

import datetime
from dataclasses import dataclass

from django.db import router
from django.db.models import F
from django.utils import timezone
from wagtail.models import Page
from wagtail.search.backends import get_search_backends

from advocacy.models import Jurisdiction, PositionPage, Topic

# Every summary contains this word; every third one also contains RARE_SEARCH_WORD.
SEARCH_WORD = "potency"
RARE_SEARCH_WORD = "lentiviral"

STATUS_CYCLE = [
    PositionPage.Status.ADOPTED,
    PositionPage.Status.CONSULTATION,
    PositionPage.Status.ADOPTED,
    PositionPage.Status.SUPERSEDED,
    PositionPage.Status.ADOPTED,
    PositionPage.Status.WITHDRAWN,
]
FIRST_YEAR = 2019
YEARS = 6  # adoption years run from 2019 to 2024

BATCH_SIZE = 400


@dataclass(frozen=True)
class PositionSpec:
    number: int
    title: str
    slug: str
    summary: str
    status: str
    adopted_on: datetime.date | None
    topic_indexes: tuple[int, ...]
    jurisdiction_indexes: tuple[int, ...]


def position_spec(n, topic_count, jurisdiction_count):
    """The attributes of the n-th bulk position (n counts from 0)."""
    status = STATUS_CYCLE[n % len(STATUS_CYCLE)]
    adopted_on = None
    if status in (PositionPage.Status.ADOPTED, PositionPage.Status.SUPERSEDED):
        adopted_on = datetime.date(FIRST_YEAR + (n // 7) % YEARS, 1 + n % 12, 1 + n % 28)
    rare = f" Covers {RARE_SEARCH_WORD} vectors." if n % 3 == 0 else ""
    return PositionSpec(
        number=n,
        title=f"Position {n:05d} on release testing",
        slug=f"bulk-position-{n:05d}",
        summary=(
            f"Position {n} sets out the society's view on {SEARCH_WORD} assays for cell and "
            f"gene therapy products.{rare}"
        ),
        status=status,
        adopted_on=adopted_on,
        topic_indexes=tuple(sorted({n % topic_count, (n // 2 + 1) % topic_count})),
        jurisdiction_indexes=(n % jurisdiction_count,),
    )


def make_topics(count=6):
    return [
        Topic.objects.get_or_create(slug=f"bulk-topic-{i}", defaults={"name": f"Bulk topic {i}"})[
            0
        ]
        for i in range(count)
    ]


def make_jurisdictions():
    jurisdictions = list(Jurisdiction.objects.order_by("pk"))
    if not jurisdictions:
        jurisdictions = [Jurisdiction.objects.create(code="global", name="Global")]
    return jurisdictions


def _body(n):
    return [
        {
            "type": "paragraph",
            "value": (
                f"<p>Position {n} explains how sponsors should validate {SEARCH_WORD} assays "
                "before pivotal trials, and what regulators should accept as evidence of "
                "comparability after a manufacturing change.</p>"
            ),
        }
    ]


def _batches(items, size):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def add_positions(index, count, *, topics, jurisdictions, index_for_search=True):
    """Add `count` live positions under `index` and return them, in path order.

    The n-th position the helper creates under an index (counting children already there)
    gets `position_spec(n, ...)`, so positions added in a second call continue the numbering.
    """
    parent = Page.objects.get(pk=index.pk)
    db = router.db_for_write(PositionPage)
    last_child = parent.get_last_child()
    first_step = last_child._get_lastpos_in_path() + 1 if last_child else 1
    depth = parent.depth + 1
    now = timezone.now()

    pages = []
    memberships = []
    for step in range(first_step, first_step + count):
        spec = position_spec(step - 1, len(topics), len(jurisdictions))
        published = now - datetime.timedelta(minutes=spec.number)
        page = PositionPage(
            path=PositionPage._get_path(parent.path, depth, step),
            depth=depth,
            numchild=0,
            title=spec.title,
            draft_title=spec.title,
            slug=spec.slug,
            url_path=f"{parent.url_path}{spec.slug}/",
            locale_id=parent.locale_id,
            live=True,
            has_unpublished_changes=False,
            first_published_at=published,
            last_published_at=published,
            summary=spec.summary,
            body=_body(spec.number),
            policy_status=spec.status,
            adopted_on=spec.adopted_on,
            version_label=f"1.{spec.number % 10}",
        )
        pages.append(page)
        memberships.append(
            (
                page,
                [topics[i] for i in spec.topic_indexes],
                [jurisdictions[i] for i in spec.jurisdiction_indexes],
            )
        )

    # 1. The wagtailcore_page rows, built from the same field values.
    base_fields = [f.attname for f in Page._meta.concrete_fields if not f.primary_key]
    base_rows = [Page(**{name: getattr(page, name) for name in base_fields}) for page in pages]
    Page.objects.using(db).bulk_create(base_rows, batch_size=BATCH_SIZE)
    for page, row in zip(pages, base_rows, strict=True):
        if row.pk is None:  # pragma: no cover - every supported database returns the keys
            raise RuntimeError("The database did not return the primary keys of new pages.")
        page.id = page.page_ptr_id = row.pk
        page._state.adding = False
        page._state.db = db

    # 2. The advocacy_positionpage rows (bulk_create refuses multi-table inheritance).
    child_fields = PositionPage._meta.local_concrete_fields
    for batch in _batches(pages, BATCH_SIZE):
        PositionPage._base_manager.using(db)._insert(batch, fields=child_fields, using=db)

    # 3. Topics and jurisdictions, straight into the through tables.
    topic_link = PositionPage.topics.through
    jurisdiction_link = PositionPage.jurisdictions.through
    topic_link.objects.using(db).bulk_create(
        [
            topic_link(positionpage_id=page.pk, topic_id=topic.pk)
            for page, page_topics, _ in memberships
            for topic in page_topics
        ],
        batch_size=BATCH_SIZE,
    )
    jurisdiction_link.objects.using(db).bulk_create(
        [
            jurisdiction_link(positionpage_id=page.pk, jurisdiction_id=jurisdiction.pk)
            for page, _, page_jurisdictions in memberships
            for jurisdiction in page_jurisdictions
        ],
        batch_size=BATCH_SIZE,
    )

    # 4. The parent now has `count` more children.
    Page.objects.using(db).filter(pk=parent.pk).update(numchild=F("numchild") + count)
    index.numchild = parent.numchild + count

    # 5. The search index, as Wagtail's post-save handler would do one page at a time.
    if index_for_search:
        for backend in get_search_backends(with_auto_update=True):
            for batch in _batches(pages, BATCH_SIZE):
                backend.add_bulk(PositionPage, batch)

    return pages
