"""The position index costs the same number of SQL queries with 2,000 positions as with a
handful: nothing in its context or template may run a query per position.

The 2,000 positions are built once, in bulk (see tests/advocacy/bulk.py). Each test
publishes only the first 2 of them, then the first 20, then all 2,000, and compares the
queries of the same GET at each size; the test transaction undoes the changes. Two is below
a page (20), so a query per listed position shows up as a difference even though the two
larger sizes both list exactly one page.
"""

from django.db import connection
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page

from advocacy.models import HomePage, PositionIndexPage, PositionPage
from tests.advocacy import bulk

TOTAL = 2000
SIZES = (2, 20, TOTAL)
PER_PAGE = PositionIndexPage.PER_PAGE


def listing_order(spec):
    """The index's order: newest adoption first, unadopted last, then title."""
    adopted = spec.adopted_on.toordinal() if spec.adopted_on else 0
    return (spec.adopted_on is None, -adopted, spec.title)


# Measures what the index itself costs, so the public page cache (cms.pagecache) is off.
@override_settings(PAGE_CACHE_SECONDS=0)
class PositionIndexQueryCountTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        home = HomePage.objects.get()
        cls.index = home.add_child(instance=PositionIndexPage(title="Positions", slug="positions"))
        topics = bulk.make_topics()
        jurisdictions = bulk.make_jurisdictions()
        pages = bulk.add_positions(cls.index, TOTAL, topics=topics, jurisdictions=jurisdictions)
        # Plain values only: Django deep-copies setUpTestData attributes for every test.
        cls.position_ids = [page.pk for page in pages]
        cls.topic_slugs = [topic.slug for topic in topics]
        cls.specs = tuple(
            bulk.position_spec(n, len(topics), len(jurisdictions)) for n in range(TOTAL)
        )

    def publish_first(self, count):
        """Keep the first `count` positions live and unpublish the rest (primary keys follow
        the order the positions were created in)."""
        positions = Page.objects.descendant_of(self.index)
        last_pk = self.position_ids[count - 1]
        positions.filter(pk__lte=last_pk).update(live=True)
        positions.filter(pk__gt=last_pk).update(live=False)
        self.assertEqual(PositionPage.objects.live().descendant_of(self.index).count(), count)

    def get_with_queries(self, url):
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(url)
        self.assertEqual(response.status_code, 200, url)
        return response, queries

    def assert_listing(self, response, expected_specs):
        """The response is page 1 of the expected positions, in the index's order."""
        expected = sorted(expected_specs, key=listing_order)
        first_page = expected[:PER_PAGE]
        page_obj = response.context["page_obj"]
        self.assertEqual(page_obj.number, 1)
        self.assertEqual(page_obj.paginator.count, len(expected))
        self.assertEqual(
            [position.title for position in response.context["positions"]],
            [spec.title for spec in first_page],
        )
        self.assertEqual(response.content.count(b'class="listing__item"'), len(first_page))
        for spec in first_page:
            self.assertContains(response, f"/positions/{spec.slug}/")
        if len(expected) > PER_PAGE:
            pages = -(-len(expected) // PER_PAGE)
            self.assertContains(response, f"Page 1 of {pages}")
        else:
            self.assertNotContains(response, 'class="pagination"')

    def assert_constant_queries(self, url, matches):
        """GET `url` with 2, 20 and 2,000 positions live and compare the queries it runs;
        `matches(spec)` says which positions the URL should list. Returns the query count."""
        counts = {}
        for live in SIZES:
            self.publish_first(live)
            if not counts:
                # Fill the caches every request shares (site root paths, content types,
                # compiled templates), so that each size is measured as a visitor gets it.
                self.client.get(url)
            expected = [spec for spec in self.specs[:live] if matches(spec)]
            self.assertTrue(expected, f"{url} should match some of {live} positions")
            response, queries = self.get_with_queries(url)
            self.assert_listing(response, expected)
            counts[live] = queries
        for live in SIZES[:-1]:
            self.assertEqual(
                len(counts[live]),
                len(counts[TOTAL]),
                f"GET {url} ran {len(counts[live])} queries with {live} positions but "
                f"{len(counts[TOTAL])} with {TOTAL}. Queries with {TOTAL}:\n"
                + "\n".join(q["sql"][:300] for q in counts[TOTAL].captured_queries),
            )
        return len(counts[TOTAL])

    def test_the_bulk_tree_is_a_valid_wagtail_tree(self):
        index = Page.objects.get(pk=self.index.pk)
        self.assertEqual(index.numchild, TOTAL)
        self.assertEqual(
            list(index.get_children().values_list("pk", flat=True)), self.position_ids
        )
        rows = PositionPage.objects.filter(pk__in=self.position_ids).values_list(
            "path", "depth", "numchild", "url_path", "locale_id"
        )
        for path, depth, numchild, url_path, locale_id in rows:
            self.assertTrue(path.startswith(index.path))
            self.assertEqual(depth, index.depth + 1)
            self.assertEqual(len(path), depth * Page.steplen)
            self.assertEqual(numchild, 0)
            self.assertRegex(url_path, rf"^{index.url_path}bulk-position-\d{{5}}/$")
            self.assertEqual(locale_id, index.locale_id)

        # treebeard carries on after the bulk pages, and Wagtail serves them.
        added = index.add_child(instance=PositionPage(title="Added", summary="One more."))
        self.assertEqual(added.path, Page._get_path(index.path, index.depth + 1, TOTAL + 1))
        self.assertEqual(Page.objects.get(pk=index.pk).numchild, TOTAL + 1)
        position = PositionPage.objects.get(pk=self.position_ids[-1])
        self.assertEqual(position.get_parent().pk, index.pk)
        self.assertEqual(position.url, f"/positions/{self.specs[-1].slug}/")
        response = self.client.get(position.url)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, self.specs[-1].title)

        # ...and the search index holds them.
        self.assertEqual(
            PositionPage.objects.live().search(bulk.RARE_SEARCH_WORD).count(),
            len([spec for spec in self.specs if bulk.RARE_SEARCH_WORD in spec.summary]),
        )

    def test_the_first_page_costs_the_same_queries_for_20_or_2000_positions(self):
        count = self.assert_constant_queries("/positions/", matches=lambda spec: True)

        self.assertGreater(count, 0)

    def test_filtered_pages_cost_the_same_queries_for_20_or_2000_positions(self):
        first = self.specs[0]
        self.assertEqual(first.status, PositionPage.Status.ADOPTED)
        topic = first.topic_indexes[0]
        year = first.adopted_on.year
        url = f"/positions/?topic={self.topic_slugs[topic]}&status=adopted&year={year}"

        def matches(spec):
            return (
                topic in spec.topic_indexes
                and spec.status == PositionPage.Status.ADOPTED
                and spec.adopted_on.year == year
            )

        self.assertGreater(len([spec for spec in self.specs if matches(spec)]), PER_PAGE)
        self.assert_constant_queries(url, matches)

    def test_searching_a_word_in_every_position_costs_the_same_queries(self):
        word = bulk.SEARCH_WORD
        self.assert_constant_queries(f"/positions/?q={word}", lambda spec: word in spec.summary)

    def test_searching_a_rarer_word_costs_the_same_queries(self):
        word = bulk.RARE_SEARCH_WORD
        self.assert_constant_queries(f"/positions/?q={word}", lambda spec: word in spec.summary)
