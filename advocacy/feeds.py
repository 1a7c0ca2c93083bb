"""RSS and Atom feeds of published positions and consultation responses."""

import datetime
from heapq import merge

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed

from advocacy.models import ConsultationResponsePage, PositionPage, Topic

FEED_LENGTH = 50


def newest_first(queryset):
    return (
        queryset.live()
        .public()
        .prefetch_related("topics")
        .order_by("-first_published_at", "-pk")[:FEED_LENGTH]
    )


class PublicationsFeed(Feed):
    title = "Policy positions and consultation responses"
    description = "New and updated positions of the society, and its responses to regulators."

    def link(self):
        return "/"

    def items(self):
        positions = newest_first(PositionPage.objects.all())
        responses = newest_first(ConsultationResponsePage.objects.all())
        both = merge(positions, responses, key=lambda p: p.first_published_at, reverse=True)
        return list(both)[:FEED_LENGTH]

    def item_title(self, item):
        if isinstance(item, ConsultationResponsePage):
            return f"Response: {item.title}"
        return item.title

    def item_description(self, item):
        if isinstance(item, PositionPage):
            return f"{item.get_policy_status_display()}. {item.summary}"
        return item.summary

    def item_link(self, item):
        # Relative; the syndication framework adds the request's scheme and host.
        return item.get_url()

    def item_guid(self, item):
        return f"liaise-page-{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        """When the society took the position (its adoption) or sent the response (its
        submission), not when the page reached this site: pages imported or moved later would
        otherwise all carry the day of the import. The start of that day in the site's zone;
        the first publication when the date is not known."""
        day = item.adopted_on if isinstance(item, PositionPage) else item.submitted_on
        if day is None:
            return item.first_published_at
        return datetime.datetime.combine(
            day, datetime.time.min, tzinfo=timezone.get_default_timezone()
        )

    def item_updateddate(self, item):
        return item.last_published_at

    def item_categories(self, item):
        return [topic.name for topic in item.topics.all()]


class PublicationsAtomFeed(PublicationsFeed):
    feed_type = Atom1Feed
    subtitle = PublicationsFeed.description


class TopicFeed(PublicationsFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Topic, slug=slug)

    def title(self, topic):
        return f"Positions and responses on {topic.name}"

    def description(self, topic):
        return topic.description or f"Everything the society publishes on {topic.name}."

    def items(self, topic):
        positions = newest_first(PositionPage.objects.filter(topics=topic))
        responses = newest_first(ConsultationResponsePage.objects.filter(topics=topic))
        both = merge(positions, responses, key=lambda p: p.first_published_at, reverse=True)
        return list(both)[:FEED_LENGTH]


class TopicAtomFeed(TopicFeed):
    feed_type = Atom1Feed
    subtitle = TopicFeed.description
