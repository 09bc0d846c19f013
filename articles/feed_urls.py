"""Feeds, sitemaps and robots.txt, served from the site root (included by ``pingcheng.urls``)."""

from django.contrib.sitemaps.views import sitemap
from django.urls import path

from articles import feeds
from articles.sitemaps import SITEMAPS, robots_txt, sitemap_news

urlpatterns = [
    path("feeds/rss/", feeds.LatestArticlesFeed(), name="feeds-rss"),
    path("feeds/atom/", feeds.LatestArticlesAtomFeed(), name="feeds-atom"),
    path("feeds/section/<slug:slug>/rss/", feeds.SectionFeed(), name="feeds-section-rss"),
    path("feeds/section/<slug:slug>/atom/", feeds.SectionAtomFeed(), name="feeds-section-atom"),
    path("feeds/unit/<slug:code>/rss/", feeds.UnitFeed(), name="feeds-unit-rss"),
    path("feeds/unit/<slug:code>/atom/", feeds.UnitAtomFeed(), name="feeds-unit-atom"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("sitemap-news.xml", sitemap_news, name="sitemap-news"),
    path("robots.txt", robots_txt, name="robots-txt"),
]
