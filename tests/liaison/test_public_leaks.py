"""The leak walk: plant unique canary strings in everything the public must never see, crawl the
public site as an anonymous visitor, and check that no canary turns up in any response.

New public endpoints (calendar feeds, say) belong in SEED_URLS, so the walk starts from them.
"""

import datetime
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import time_machine

from tests.liaison.leaks import PlantedCanariesTestCase

NOW = datetime.datetime(2026, 5, 1, 12, tzinfo=datetime.UTC)

# Where the walk starts, besides every public meeting page; it follows links from there.
SEED_URLS = [
    "/",
    "/meetings/",
    "/positions/",
    "/consultation-responses/",
    "/search/?q=meeting",
    "/search/?q=potency",
    "/feeds/rss/",
    "/feeds/atom/",
    "/api/v2/pages/?fields=*",
    "/api/v2/pages/?type=advocacy.PositionPage&fields=*",
    "/sitemap.xml",
    "/calendar/subscribe/",
    "/calendar/subscribe/sent/",
    "/calendar/subscribe/confirm/not-a-token/",
    "/calendar/subscribe/manage/not-a-token/",
    "/calendar/subscribe/unsubscribe/not-a-token/",
    "/calendar/",
    "/calendar/public.ics",
    "/calendar/regulators/health-canada-brdd.ics",
    "/calendar/feed/not-a-token.ics",
]
# Searched for on every search endpoint, each canary in turn.
SEARCH_URLS = ["/search/?q={}", "/api/v2/pages/?search={}"]
SKIPPED_PREFIXES = ("/admin/", "/django-admin/", "/documents/", "/static/", "/media/")
HOSTS = ("", "testserver")
MAX_PAGES = 500
# Home, meetings, positions, responses, search, feeds, API, 2 positions, a response, 2 meetings.
MIN_PAGES = 14


class LinkParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        if tag in ("a", "link", "area", "form"):
            attrs = dict(attrs)
            link = attrs.get("href") or attrs.get("action")
            if link:
                self.links.append(link)


def same_site_path(base, link):
    """The path and query of `link` found on `base`, or None when the walk should not go there."""
    parts = urlsplit(urljoin(f"http://testserver{base}", link))
    if parts.scheme not in ("http", "https") or parts.netloc not in HOSTS:
        return None
    if parts.path.startswith(SKIPPED_PREFIXES):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


@time_machine.travel(NOW, tick=False)
class PublicLeakTestCase(PlantedCanariesTestCase):
    def crawl(self, seeds):
        """Visit `seeds` and every same-site link reachable from them; return {url: body}."""
        queue, seen, bodies = deque(seeds), set(seeds), {}
        while queue and len(bodies) < MAX_PAGES:
            url = queue.popleft()
            response = self.client.get(url)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            bodies[url] = (response.status_code, body.decode("utf-8", "replace"))
            links = [response["Location"]] if response.has_header("Location") else []
            if "html" in response.get("Content-Type", ""):
                parser = LinkParser()
                parser.feed(bodies[url][1])
                links += parser.links
            for link in links:
                path = same_site_path(url.split("?")[0], link)
                if path and path not in seen:
                    seen.add(path)
                    queue.append(path)
        return bodies

    def meeting_url(self, meeting):
        return f"/meetings/{meeting.uuid}/"

    def assert_no_canary(self, bodies):
        # A page may echo what its own address asks for ("0 results for ..."); what the
        # searches find is checked in test_searching_for_a_canary_finds_nothing.
        leaks = [
            (url, label)
            for url, (_, body) in bodies.items()
            for label, value in self.canaries.items()
            if value.lower() in body.lower() and value.lower() not in url.lower()
        ]
        self.assertEqual(leaks, [])

    def test_no_canary_is_reachable_from_the_public_site(self):
        searches = [s.format(c) for s in SEARCH_URLS for c in self.canaries.values()]
        seeds = [*SEED_URLS, *searches, self.meeting_url(self.public), self.meeting_url(self.held)]

        bodies = self.crawl(seeds)

        self.assert_no_canary(bodies)
        # The walk really went somewhere: to the pages that show meetings and cite positions.
        self.assertGreaterEqual(len(bodies) - len(searches), MIN_PAGES)
        for url in (
            "/",
            "/meetings/",
            self.meeting_url(self.public),
            self.meeting_url(self.held),
            self.position.url,
            self.quiet_position.url,
            self.response.url,
        ):
            with self.subTest(url=url):
                self.assertEqual(bodies[url][0], 200)
        self.assertNotIn(self.meeting_url(self.members), bodies)
        self.assertNotIn(self.meeting_url(self.secret), bodies)

    def test_searching_for_a_canary_finds_nothing(self):
        for label, value in self.canaries.items():
            with self.subTest(canary=label):
                site = self.client.get("/search/", {"q": value})
                api = self.client.get("/api/v2/pages/", {"search": value})
                self.assertEqual(site.context["page_obj"].paginator.count, 0)
                self.assertEqual(api.json()["meta"]["total_count"], 0)

    def test_a_position_raised_only_in_a_confidential_item_links_to_no_meeting(self):
        position = self.client.get(self.quiet_position.url)
        raised = self.client.get(self.position.url)

        self.assertNotContains(position, self.meeting_url(self.held))
        self.assertNotContains(position, "Raised at meetings")
        self.assertContains(raised, self.meeting_url(self.public))
        self.assertNotContains(raised, self.meeting_url(self.held))

    def test_pages_of_meetings_that_are_not_public_are_404_to_visitors_and_members(self):
        for user in (None, self.outsider):
            if user:
                self.client.force_login(user)
            for meeting in (self.members, self.secret):
                with self.subTest(user=user, visibility=meeting.visibility):
                    response = self.client.get(self.meeting_url(meeting))
                    self.assertEqual(response.status_code, 404)
                    self.assert_no_canary({"page": (404, response.content.decode())})
