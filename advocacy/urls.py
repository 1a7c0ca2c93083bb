from django.urls import path

from advocacy import feeds, views

app_name = "advocacy"

urlpatterns = [
    path("search/", views.search, name="search"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("feeds/rss/", feeds.PublicationsFeed(), name="feed_rss"),
    path("feeds/atom/", feeds.PublicationsAtomFeed(), name="feed_atom"),
    path("feeds/topics/<slug:slug>/rss/", feeds.TopicFeed(), name="topic_feed_rss"),
    path("feeds/topics/<slug:slug>/atom/", feeds.TopicAtomFeed(), name="topic_feed_atom"),
]
