"""A district-scale corpus for the benchmarks: N articles recombined from the seed page's text.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pingcheng_bench python -m bench.corpus --articles 100000

The demo page (``manage.py load_demo``) is loaded first; its ten articles give the material: their sentences
(bodies of about 2 KB, drawn with a skewed frequency so that some sentences are common and some rare), their
headline phrases, sections, tags and units. Around them: contributors credited as 记者/通讯员/摄影, a pool of
photos sharing the demo photos' rendition files, series with numbered parts, daily editions with four printed
pages for recent weeks, and statuses — mostly published over three years, some drafts, articles in review,
scheduled and withdrawn ones — with their workflow events.

Everything goes in through bulk paths (``bulk_create`` in batches, the many-to-many through table directly):
no service call, no signal, no audit entry per row. The search tokens are the real ones
(``articles.search.article_search_text`` and ``pingcheng.chinese.index_tokens``), computed once per distinct
sentence or headline and joined: jieba sees each piece exactly as it would see it inside the whole text, because
every piece ends at a line break, a space or a sentence's final punctuation, where neither jieba nor the bigrams
join characters. A few articles of every run are checked against ``articles.search.article_index``. The stored
derived fields come from ``articles.rendering.articles_render_store``, batch by batch; the tables are left
analysed (VACUUM ANALYZE; autovacuum is off on these machines).

On PostgreSQL from 5,000 articles on, two processes build and insert batches side by side, with the article
table's plain indexes (the GIN search index above all) dropped meanwhile and built once at the end. 100,000
articles take about ten minutes on two busy cores; most of it is PostgreSQL computing the stored search vector
and ``articles_render_store``.

The CLI works on a persistent bench database: it creates and migrates it, refuses a database whose name does not
say "bench", and refuses one holding articles it did not generate unless ``--fresh`` (which deletes every article
but the demo page's first). ``--render`` renders every article's stored fields again (after a change to
``articles.rendering``), leaving the indexes in place. From code, ``corpus_build()`` works on whatever database Django is connected to.
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import os
import random
import re
import sys
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock
from io import StringIO
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# The note on the "created" event of every generated article: how a database's articles are told apart.
MARKER_NOTE = "基准测试语料（bench.corpus 生成）"
# Words the site benchmark searches for: common ones, and one that only a few articles carry.
COMMON_WORDS = ("网格员", "防汛", "工会经费", "志愿服务")
RARE_WORD = "勠力同心"
RARE_RATE = 1 / 2000

YEARS = 3
EDITION_WEEKS = 12
EDITION_PAGES = ((1, "要闻"), (2, "平城新闻"), (3, "基层动态"), (4, "民生服务"))
ARTICLES_PER_PAGE = 4
SERIES_RATE = 0.01
SERIES_MAX_PARTS = 99  # what chinese_numeral prints
FIGURE_RATE = 1 / 3
PHOTO_POOL = 120
# Articles per articles_render_store round: Django's bulk_update writes one CASE over the whole round per
# column, which PostgreSQL evaluates row by row, so a round much larger than this costs more per article.
RENDER_BATCH = 200
BODY_CHARS = (700, 220, 250, 1600)  # mean, spread, minimum, maximum characters of a body

# (status, share); the rest of the shares goes to PUBLISHED.
STATUS_SHARES = (("draft", 0.025), ("first_review", 0.008), ("final_review", 0.007), ("scheduled", 0.01),
                 ("withdrawn", 0.01))  # fmt: skip

# Series run one after another, each up to 99 parts, in the demo series' style.
SERIES_TITLES = (
    ("奋进新征程 建功新时代", "fenjin-xinzhengcheng"),
    ("网格员在身边", "wanggeyuan-zaishenbian"),
    ("创城进行时·街巷行", "chuangcheng-jiexiangxing"),
    ("民生实事面对面", "minsheng-shishi"),
    ("基层治理新实践", "jiceng-zhili"),
    ("文明实践在社区", "wenming-shijian"),
    ("乡村振兴看平城", "xiangcun-zhenxing"),
    ("防汛一线", "fangxun-yixian"),
    ("党建引领 共建共享", "dangjian-gongjian"),
    ("小微企业服务行", "xiaowei-fuwu"),
    ("守护钱袋子", "shouhu-qiandaizi"),
    ("志愿服务风采录", "zhiyuan-fengcai"),
    ("古城新貌", "gucheng-xinmao"),
    ("街道书记访谈", "jiedao-fangtan"),
)

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭罗梁郑谢韩唐冯于董程袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆孔白崔康毛秦江史顾侯邵孟龙万段钱汤尹黎易常武乔贺赖龚文"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红东海峰波宁建国志晓雪鹏飞慧琳颖婷欣然浩宇晨阳"
STAFF_REPORTERS, CORRESPONDENTS, PHOTOGRAPHERS = 36, 60, 8
EDITORS = ("王编辑", "李慧", "张晓雪", "赵建国")

WITHDRAW_REASONS = ("稿件内容有误，撤稿。", "当事单位反映情况与事实不符，经核实撤稿。")
RETRACTION_TEXT = "本报此前刊发的稿件部分内容与事实不符，现予撤回，特此声明。"
CORRECTION_TEXT = "原稿中活动日期有误，已更正。"
CORRECTION_RATE = 0.002

_SENTENCE_RE = re.compile(r"[^。！？]+(?:[。！？]+[”’」』）)]*|$)")
_CLAUSE_RE = re.compile(r"[^，、；：。！？]+")


class CorpusRefused(Exception):
    """The database holds what the generator must not touch, or already holds a corpus."""


@dataclass
class Topic:
    """One demo article: what generated articles about the same thing borrow from it."""

    section_id: int | None
    tags: list[str]
    unit_ids: list[int]
    sentences: list[str]
    headline_phrases: list[str]


@dataclass
class Material:
    topics: list[Topic]
    sentences: list[str]
    clauses: list[str]
    kicker_phrases: list[str]
    tags: list[str]
    rare_sentences: list[str]
    captions: list[str]


@dataclass
class CorpusStats:
    articles: int = 0
    live: int = 0
    credits: int = 0
    figures: int = 0
    units: int = 0
    events: int = 0
    photos: int = 0
    contributors: int = 0
    series_parts: int = 0
    editions: int = 0
    corrections: int = 0
    seconds: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)


# --- The material ---------------------------------------------------------------------------------------


def _sentences(paragraph: str) -> list[str]:
    """Whole sentences of a paragraph, each ending in punctuation (so no two join when concatenated)."""
    pieces = []
    for match in _SENTENCE_RE.finditer(paragraph):
        sentence = match.group().strip()
        if len(sentence) < 8 or sentence.count("“") != sentence.count("”"):
            continue
        if sentence[-1] not in "。！？”’」』）)":
            sentence += "。"
        pieces.append(sentence)
    return pieces


def _clauses(sentence: str) -> list[str]:
    from pingcheng.chinese import HANZI_RUN_RE

    found = []
    for clause in _CLAUSE_RE.findall(sentence):
        clause = clause.strip("“”‘’（）() ")
        if 6 <= len(clause) <= 16 and HANZI_RUN_RE.fullmatch(clause) and not clause.startswith(("的", "和", "并")):
            found.append(clause)
    return found


def material_from_demo() -> Material:
    """Sentences, phrases, sections, tags and units of the demo page's articles (load_demo must have run)."""
    from articles import demo
    from articles.models import Article
    from pingcheng.richtext import plain_text

    articles = list(
        Article.objects.filter(page__edition__date=demo.EDITION_DATE, page__number=demo.PAGE_NUMBER)
        .prefetch_related("units", "figures__photo")
        .order_by("page_order")
    )
    if not articles:
        raise CorpusRefused("the demo page is missing: run manage.py load_demo first")
    topics, everything, clauses, kickers, tags, rare, captions = [], [], [], [], [], [], []
    for article in articles:
        sentences = []
        for paragraph_html in re.findall(r"<p>(.*?)</p>", article.body or "", flags=re.S):
            sentences += _sentences(plain_text(paragraph_html))
        rare += [s for s in sentences if RARE_WORD in s]
        sentences = [s for s in sentences if RARE_WORD not in s]
        for sentence in sentences:
            clauses += _clauses(sentence)
        phrases = [p for p in article.headline.split() if len(p) >= 4]
        topics.append(Topic(section_id=article.section_id, tags=article.tag_list,
                            unit_ids=[u.pk for u in article.units.all()], sentences=sentences,
                            headline_phrases=phrases))  # fmt: skip
        everything += sentences
        if article.kicker:
            kickers.append(article.kicker)
        tags += article.tag_list
        captions += [f.photo.caption for f in article.figures.all() if f.photo.caption]
    clauses = [c for c in dict.fromkeys(clauses) if RARE_WORD not in c]
    return Material(topics=topics, sentences=list(dict.fromkeys(everything)), clauses=clauses,
                    kicker_phrases=list(dict.fromkeys(kickers)), tags=list(dict.fromkeys(tags)),
                    rare_sentences=rare or [f"各方{RARE_WORD}、携手前行。"], captions=captions)  # fmt: skip


class _Skewed:
    """Draws items with Zipf-like frequencies (a fixed random rank per item): a few very common, many rare."""

    def __init__(self, items: list, rng: random.Random, exponent: float = 1.1):
        self.items = list(items)
        rng.shuffle(self.items)
        weights = [1 / (rank + 1) ** exponent for rank in range(len(self.items))]
        self.cumulative = list(itertools.accumulate(weights))

    def draw(self, rng: random.Random):
        return self.items[bisect.bisect(self.cumulative, rng.random() * self.cumulative[-1])]


class _TokenCache:
    """``index_tokens`` of each distinct piece of text, computed once (jieba costs ~5 ms per 2 KB)."""

    # A piece ends after a line break (fields), a space (paragraphs, headline phrases) or a sentence's final
    # punctuation: none of these is a letter, digit or Hanzi, so jieba's blocks, the bigram runs and the
    # token pattern all break there, and the tokens of the whole are the tokens of its pieces in order.
    SPLIT = re.compile(r"(?<=[\n 。！？])")

    def __init__(self):
        self.cache: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}

    def search_text(self, text: str) -> str:
        from articles.search import SEPARATOR
        from pingcheng.chinese import index_tokens

        words: list[str] = []
        bigrams: list[str] = []
        for piece in self.SPLIT.split(text):
            tokens = self.cache.get(piece)
            if tokens is None:
                found_words, found_bigrams = index_tokens(piece)
                tokens = self.cache[piece] = (tuple(found_words), tuple(found_bigrams))
            words += tokens[0]
            bigrams += tokens[1]
        # As articles.search.article_index writes it; checked against it on sample articles of every run.
        return f"{' '.join(words)} {SEPARATOR} {' '.join(bigrams)}".strip() if words or bigrams else ""


# --- The database ---------------------------------------------------------------------------------------


def _demo_article_ids() -> list[int]:
    from articles import demo
    from articles.models import Article

    return list(
        Article.objects.filter(page__edition__date=demo.EDITION_DATE, page__number=demo.PAGE_NUMBER).values_list(
            "pk", flat=True
        )
    )


def corpus_census() -> tuple[int, int]:
    """(generated articles, articles neither generated nor on the demo page) in the current database."""
    from django.db.models import Exists, OuterRef

    from articles.models import Article, ArticleEvent

    marked = ArticleEvent.objects.filter(article=OuterRef("pk"), action="created", note=MARKER_NOTE)
    generated = Article.objects.filter(Exists(marked)).count()
    foreign = Article.objects.exclude(pk__in=_demo_article_ids()).exclude(Exists(marked)).count()
    return generated, foreign


def _article_tables() -> list[str]:
    """Tables holding rows that belong to articles, children first; through the models so new ones count."""
    from articles.models import Article

    tables = []
    for relation in Article._meta.related_objects:
        if relation.one_to_many or relation.one_to_one:
            tables.append((relation.related_model._meta.db_table, relation.field.column))
    for m2m in Article._meta.many_to_many:
        through = m2m.remote_field.through
        tables.append((through._meta.db_table, m2m.m2m_field_name() + "_id"))
    return tables


def corpus_empty() -> None:
    """Delete every article but the demo page's, with what hangs off them, then what the generator made.

    Raw deletes: the ORM would load every row to send signals (the audit log would record 100,000 deletions).
    """
    from django.db import connection, transaction

    from articles import demo
    from articles.models import Article, ArticlePhoto, Edition, Page, Series
    from pingcheng.photos.models import Photo

    keep = _demo_article_ids() or [0]
    quote = connection.ops.quote_name
    article, figure, photo = (quote(m._meta.db_table) for m in (Article, ArticlePhoto, Photo))
    series, edition, page = (quote(m._meta.db_table) for m in (Series, Edition, Page))
    kept = ", ".join(["%s"] * len(keep))
    with transaction.atomic(), connection.cursor() as cursor:
        for table, column in _article_tables():
            cursor.execute(f"DELETE FROM {quote(table)} WHERE {quote(column)} NOT IN ({kept})", keep)
        cursor.execute(f"DELETE FROM {article} WHERE id NOT IN ({kept})", keep)
        cursor.execute(f"DELETE FROM {series} WHERE id NOT IN (SELECT series_id FROM {article} WHERE series_id IS NOT NULL)")
        cursor.execute(
            f"DELETE FROM {page} WHERE id NOT IN (SELECT page_id FROM {article} WHERE page_id IS NOT NULL) "
            f"AND edition_id NOT IN (SELECT id FROM {edition} WHERE date = %s)", [demo.EDITION_DATE]
        )
        cursor.execute(f"DELETE FROM {edition} WHERE id NOT IN (SELECT edition_id FROM {page})")
        # The pool photos share the demo photos' files: a photo no figure shows, made from those files, is ours.
        cursor.execute(
            f"DELETE FROM {photo} WHERE id NOT IN (SELECT photo_id FROM {figure}) AND master IN "
            f"(SELECT p.master FROM {photo} p JOIN {figure} f ON f.photo_id = p.id)"
        )


def _allocate_ids(model, count: int) -> list[int]:
    """Primary keys for rows about to be inserted, so that related rows can be built in the same pass."""
    from django.db import connection

    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count]
            )
            return sorted(row[0] for row in cursor.fetchall())
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")
        start = cursor.fetchone()[0] + 1
    return list(range(start, start + count))


# PostgreSQL: the plain indexes dropped for a parallel load, kept in the database itself until they are built
# again, so that a load killed half-way leaves the next run (or `indexes_restore`) what to rebuild.
DEFERRED_INDEX_TABLE = "bench_corpus_deferred_index"


def _indexes_drop(*models) -> int:
    """Drop the tables' plain indexes (not the primary key nor those behind constraints), remembering them.

    Building the GIN search index once at the end is many times cheaper than growing it by 100,000 documents.
    The definitions come from the catalogue, so what the migrations made is what comes back.
    """
    from django.db import connection, transaction

    tables = [m._meta.db_table for m in models]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {DEFERRED_INDEX_TABLE} (name text PRIMARY KEY, definition text NOT NULL)"
        )
        cursor.execute(
            """SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
               WHERE x.indrelid = ANY(%s::regclass[]) AND NOT x.indisprimary
               AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)""",
            [tables],
        )
        rows = cursor.fetchall()
        for name, definition in rows:
            cursor.execute(f"INSERT INTO {DEFERRED_INDEX_TABLE} VALUES (%s, %s) ON CONFLICT DO NOTHING",
                           [name, definition])  # fmt: skip
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    return len(rows)


def indexes_restore() -> int:
    """Build again every index a load dropped (see ``_indexes_drop``); returns how many. Safe to run any time."""
    from django.db import connection, transaction

    if connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [DEFERRED_INDEX_TABLE])
        if cursor.fetchone()[0] is None:
            return 0
        cursor.execute(f"SELECT name, definition FROM {DEFERRED_INDEX_TABLE} ORDER BY name")
        rows = cursor.fetchall()
        cursor.execute("SET maintenance_work_mem = '512MB'")
        for name, definition in rows:
            with transaction.atomic():
                cursor.execute("SELECT to_regclass(%s)", [name])
                if cursor.fetchone()[0] is None:
                    cursor.execute(definition)
                cursor.execute(f"DELETE FROM {DEFERRED_INDEX_TABLE} WHERE name = %s", [name])
        cursor.execute(f"DROP TABLE {DEFERRED_INDEX_TABLE}")
        cursor.execute("RESET maintenance_work_mem")
    return len(rows)


class _GivenTimestamps:
    """Let bulk_create keep the creation and edit times given, instead of stamping every row "now".

    The alternative, an UPDATE after the load, would write every row twice.
    """

    def __init__(self, model, names=("created_at", "edited_at")):
        self.fields = [model._meta.get_field(name) for name in names]

    def __enter__(self):
        self.saved = [(f.auto_now, f.auto_now_add) for f in self.fields]
        for f in self.fields:
            f.auto_now = f.auto_now_add = False

    def __exit__(self, *exc):
        for f, (auto_now, auto_now_add) in zip(self.fields, self.saved, strict=True):
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def _names(rng: random.Random, count: int, taken: set[str]) -> list[str]:
    names = []
    while len(names) < count:
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
        if name not in taken:
            taken.add(name)
            names.append(name)
    return names


def _contributors(seed: int, units: list) -> dict[str, list]:
    """Staff reporters, correspondents (one unit each) and photographers: the demo's people plus generated ones,
    the same names on every run with the same seed (found again, not added twice)."""
    from articles import demo
    from pingcheng.directory.models import Contributor

    rng = random.Random(f"{seed}:people")
    K = Contributor.Kind
    taken = {name for name, _role, _unit in demo.CONTRIBUTORS}
    wanted = [(name, K.STAFF, None) for name in _names(rng, STAFF_REPORTERS, taken)]
    wanted += [(name, K.CORRESPONDENT, rng.choice(units)) for name in _names(rng, CORRESPONDENTS, taken)]
    wanted += [(name, K.PHOTOGRAPHER, None) for name in _names(rng, PHOTOGRAPHERS, taken)]
    existing = {(c.name, c.unit_id) for c in Contributor.objects.all()}
    Contributor.objects.bulk_create([
        Contributor(name=name, kind=kind, unit=unit)
        for name, kind, unit in wanted if (name, unit.pk if unit else None) not in existing
    ])  # fmt: skip
    people = list(Contributor.objects.filter(is_active=True).order_by("pk"))
    return {
        "staff": [c for c in people if c.kind == K.STAFF],
        "correspondent": [c for c in people if c.kind == K.CORRESPONDENT],
        "photographer": [c for c in people if c.kind == K.PHOTOGRAPHER] or [c for c in people if c.kind == K.STAFF],
    }


def _photo_pool(rng: random.Random, material: Material, photographers: list, units: list) -> list:
    """Photo rows pointing at the demo photos' master and rendition files: real files, no image work."""
    from articles.models import ArticlePhoto
    from pingcheng.photos.models import Photo

    sources = list(Photo.objects.filter(pk__in=ArticlePhoto.objects.values("photo")).exclude(renditions={}))
    if not sources:
        return []
    photos = []
    for index in range(PHOTO_POOL):
        source = sources[index % len(sources)]
        unit = rng.choice(units)
        caption = rng.choice(material.captions) if rng.random() < 0.2 and material.captions else (
            f"图为{unit.name}{rng.choice(material.clauses)}。"
        )
        photos.append(Photo(master=source.master.name, width=source.width, height=source.height,
                            renditions=source.renditions, caption=caption[:300],
                            alt_text=f"{unit.name}活动现场：{rng.choice(material.clauses)}"[:200],
                            credit=rng.choice(photographers)))  # fmt: skip
    return Photo.objects.bulk_create(photos)


def _series() -> list:
    from articles.models import Series

    existing = {s.title for s in Series.objects.filter(title__in=[t for t, _ in SERIES_TITLES])}
    Series.objects.bulk_create([Series(title=t, slug=slug) for t, slug in SERIES_TITLES if t not in existing])
    by_title = {s.title: s for s in Series.objects.filter(title__in=[t for t, _ in SERIES_TITLES])}
    return [by_title[title] for title, _ in SERIES_TITLES]


def _editions(today: date) -> dict[date, list[int]]:
    """Weekday editions of the last weeks with four pages each, numbered on from the demo edition: page ids
    by day."""
    from articles import demo
    from articles.models import Edition, Page

    days = [today - timedelta(days=n) for n in range(EDITION_WEEKS * 7)]
    days = sorted(d for d in days if d.weekday() < 5 and d != demo.EDITION_DATE)
    existing = set(Edition.objects.filter(date__in=days).values_list("date", flat=True))

    def number(day: date) -> int:
        step = 1 if day >= demo.EDITION_DATE else -1
        span = (day - demo.EDITION_DATE).days * step
        weekdays = sum(1 for n in range(1, span + 1) if (demo.EDITION_DATE + timedelta(days=n * step)).weekday() < 5)
        return demo.EDITION_NUMBER + step * weekdays

    editions = Edition.objects.bulk_create([Edition(date=d, number=number(d)) for d in days if d not in existing])
    pages = Page.objects.bulk_create([
        Page(edition=edition, number=n, name=name, editor=EDITORS[(edition.number + n) % len(EDITORS)])
        for edition in editions for n, name in EDITION_PAGES
    ])  # fmt: skip
    by_day: dict[date, list[int]] = {}
    for page in pages:
        by_day.setdefault(page.edition.date, []).append(page.pk)
    return by_day


@dataclass
class _Slot:
    """One article's place in the corpus, decided before any is built: status, times, series part, page."""

    status: str
    publish_at: datetime | None
    created_at: datetime
    series_id: int | None = None
    series_part: int | None = None
    page_id: int | None = None
    page_order: int | None = None


def _timeline(rng: random.Random, count: int, now: datetime, series: list, pages_by_day: dict) -> list[_Slot]:
    """Statuses and times, oldest first: published over three years, then what is still in the works.

    Series parts run on in publication order and the first published articles of an edition's day fill its
    pages: both are decided here, once, so that batches can be built in any order or in parallel.
    """
    from django.utils import timezone

    today = timezone.localdate(now)
    first_day = today - timedelta(days=365 * YEARS)
    span = (today - first_day).days
    dated, pending = [], []
    for _ in range(count):
        roll, status = rng.random(), "published"
        for name, share in STATUS_SHARES:
            if roll < share:
                status = name
                break
            roll -= share
        if status in ("draft", "first_review", "final_review"):
            pending.append(_Slot(status, None, now - timedelta(minutes=rng.randint(10, 60 * 24 * 30))))
            continue
        if status == "scheduled":
            at = now + timedelta(minutes=rng.randint(30, 60 * 24 * 14))
            pending.append(_Slot(status, at, now - timedelta(minutes=rng.randint(10, 60 * 24 * 3))))
            continue
        day = first_day + timedelta(days=rng.randint(0, span))
        at = timezone.make_aware(datetime.combine(day, clock(hour=6))) + timedelta(minutes=rng.randint(0, 16 * 60))
        if at >= now:
            at = now - timedelta(minutes=rng.randint(1, 6 * 60))
        dated.append(_Slot(status, at, at - timedelta(minutes=rng.randint(30, 60 * 48))))
    dated.sort(key=lambda slot: slot.publish_at)
    pending.sort(key=lambda slot: slot.created_at)

    series_index, part, filled = 0, 1, {}
    for slot in dated:
        if slot.status != "published":
            continue
        if series_index < len(series) and rng.random() < SERIES_RATE:
            slot.series_id, slot.series_part = series[series_index].pk, part
            series_index, part = (series_index + 1, 1) if part >= SERIES_MAX_PARTS else (series_index, part + 1)
        day = timezone.localdate(slot.publish_at)
        pages, count_on_day = pages_by_day.get(day), filled.get(day, 0)
        if pages and count_on_day < len(pages) * ARTICLES_PER_PAGE:
            filled[day] = count_on_day + 1
            slot.page_id, slot.page_order = pages[count_on_day // ARTICLES_PER_PAGE], count_on_day % ARTICLES_PER_PAGE + 1
    return dated + pending


# --- Building articles ----------------------------------------------------------------------------------


class _Builder:
    """Builds articles from the material; holds nothing that changes from one article to the next but caches,
    so batches built in different processes from the same seed come out the same."""

    def __init__(self, *, seed: int, material: Material, people: dict, photos: list, units: list, series: list):
        rng = random.Random(f"{seed}:material")
        self.material = material
        self.people = people
        self.photos = photos
        self.units = units
        self.units_by_id = {u.pk: u for u in units}
        self.series_by_id = {s.pk: s for s in series}
        self.tokens = _TokenCache()
        self.char_counts: dict[str, int] = {}
        self.global_sentences = _Skewed(material.sentences, rng)
        self.topic_sentences = [_Skewed(t.sentences or material.sentences, rng) for t in material.topics]
        self.clauses = _Skewed(material.clauses, rng, exponent=0.8)

    def _char_count(self, paragraphs: list[str]) -> int:
        # Paragraphs are made of the material's sentences: count each sentence once.
        from pingcheng.chinese import char_count

        total = 0
        for paragraph in paragraphs:
            for sentence in self.tokens.SPLIT.split(paragraph):
                count = self.char_counts.get(sentence)
                if count is None:
                    count = self.char_counts[sentence] = char_count(sentence)
                total += count
        return total

    def _body(self, rng: random.Random, topic_index: int) -> list[str]:
        mean, spread, low, high = BODY_CHARS
        target = min(high, max(low, int(rng.gauss(mean, spread))))
        paragraphs, used, length = [], set(), 0
        while length < target:
            paragraph = []
            for _ in range(rng.randint(2, 5)):
                for _attempt in range(5):
                    pool = self.topic_sentences[topic_index] if rng.random() < 0.65 else self.global_sentences
                    sentence = pool.draw(rng)
                    if sentence not in used:
                        break
                used.add(sentence)
                paragraph.append(sentence)
                length += len(sentence)
                if length >= target:
                    break
            paragraphs.append("".join(paragraph))
        if rng.random() < RARE_RATE:
            paragraphs.insert(rng.randrange(len(paragraphs) + 1), rng.choice(self.material.rare_sentences))
        return paragraphs

    def _headline(self, rng: random.Random, topic: Topic, article_units: list) -> str:
        roll = rng.random()
        if roll < 0.3 and article_units:
            return f"{article_units[0].name} {self.clauses.draw(rng)}"
        if roll < 0.55 and topic.headline_phrases:
            return f"{rng.choice(topic.headline_phrases)} {self.clauses.draw(rng)}"
        return f"{self.clauses.draw(rng)} {self.clauses.draw(rng)}"

    def _units(self, rng: random.Random, topic: Topic) -> list:
        if topic.unit_ids and rng.random() < 0.4:
            return [self.units_by_id[pk] for pk in topic.unit_ids if pk in self.units_by_id]
        count = rng.choices((0, 1, 2, 3), weights=(20, 50, 25, 5))[0]
        chosen = rng.sample(self.units, min(count, len(self.units)))
        for unit in list(chosen):
            # A community's news is its street's news too, as the demo page files it.
            parent = self.units_by_id.get(unit.parent_id)
            if parent is not None and parent not in chosen and rng.random() < 0.5:
                chosen.append(parent)
        return chosen

    def _credits(self, rng: random.Random, article, article_units: list, figures: list) -> list:
        from articles.models import Credit

        R = Credit.Role
        people = [(person, R.REPORTER) for person in rng.sample(self.people["staff"], rng.choice((1, 1, 1, 2)))]
        if rng.random() < 0.4 and self.people["correspondent"]:
            unit_ids = {u.pk for u in article_units}
            local = [c for c in self.people["correspondent"] if c.unit_id in unit_ids]
            people.append((rng.choice(local or self.people["correspondent"]), R.CORRESPONDENT))
        if figures and rng.random() < 0.6:
            # The one credited 摄影 is the one whose photo leads the article.
            people.append((figures[0].photo.credit or rng.choice(self.people["photographer"]), R.PHOTOGRAPHER))
        credits, seen = [], set()
        for order, (person, role) in enumerate(people):
            if (person.pk, role) not in seen:
                seen.add((person.pk, role))
                credits.append(Credit(article=article, contributor=person, role=role, order=order))
        return credits

    def build(self, rng: random.Random, pk: int, slot: _Slot) -> dict:
        from articles.models import Article, ArticleEvent, ArticlePhoto, Correction
        from articles.search import article_search_text
        from pingcheng.richtext import paragraphs_to_html

        material = self.material
        topic_index = rng.randrange(len(material.topics))
        topic = material.topics[topic_index]
        article_units = self._units(rng, topic)
        paragraphs = self._body(rng, topic_index)
        lead = paragraphs[0] if len(paragraphs[0]) <= 160 else (_sentences(paragraphs[0]) or [paragraphs[0][:160]])[0]
        tags = list(topic.tags)
        if rng.random() < 0.3 and material.tags:
            tags.append(rng.choice(material.tags))
        kicker_roll = rng.random()
        kicker = (article_units[0].name if kicker_roll < 0.35 and article_units
                  else rng.choice(material.kicker_phrases) if kicker_roll < 0.45 and material.kicker_phrases
                  else "")  # fmt: skip
        live_once = slot.status in ("published", "withdrawn")
        article = Article(
            pk=pk, kicker=kicker[:120], headline=self._headline(rng, topic, article_units)[:120],
            subtitle=f"——{self.clauses.draw(rng)}" if rng.random() < 0.12 else "",
            series=self.series_by_id.get(slot.series_id), series_part=slot.series_part, section_id=topic.section_id,
            lead=lead, body=paragraphs_to_html(paragraphs), tags="、".join(dict.fromkeys(tags)),
            dateline=rng.choices(("xun", "jizhe", "none"), weights=(85, 10, 5))[0],
            responsible_editor=rng.choice(EDITORS), page_id=slot.page_id, page_order=slot.page_order,
            char_count=self._char_count(paragraphs), status=slot.status, review_round=0 if slot.status == "draft" else 1,
            created_at=slot.created_at, edited_at=slot.publish_at if live_once else slot.created_at,
            publish_at=slot.publish_at, published_at=slot.publish_at if live_once else None,
        )  # fmt: skip
        figures = []
        if self.photos and rng.random() < FIGURE_RATE:
            chosen = rng.sample(self.photos, rng.choice((1, 1, 1, 2, 3)))
            figures = [ArticlePhoto(article=article, photo=photo, order=n) for n, photo in enumerate(chosen)]
        credits = self._credits(rng, article, article_units, figures)

        events = [ArticleEvent(article=article, action="created", note=MARKER_NOTE, at=slot.created_at)]
        corrections = []
        if slot.status in ("first_review", "final_review"):
            events.append(ArticleEvent(article=article, action="submitted", at=slot.created_at + timedelta(minutes=5)))
        elif slot.status == "scheduled":
            events.append(ArticleEvent(article=article, action="scheduled", at=slot.created_at + timedelta(hours=1)))
        elif live_once:
            events.append(ArticleEvent(article=article, action="published", at=slot.publish_at))
            if slot.status == "withdrawn":
                at = slot.publish_at + timedelta(hours=rng.randint(1, 48))
                events.append(ArticleEvent(article=article, action="withdrawn", note=rng.choice(WITHDRAW_REASONS),
                                           at=at))  # fmt: skip
                if rng.random() < 0.5:
                    corrections.append(Correction(article=article, kind="retraction", text=RETRACTION_TEXT,
                                                  published_at=at))  # fmt: skip
            elif rng.random() < CORRECTION_RATE:
                at = slot.publish_at + timedelta(hours=rng.randint(2, 72))
                corrections.append(Correction(article=article, kind="correction", text=CORRECTION_TEXT, published_at=at))
                events.append(ArticleEvent(article=article, action="corrected", note=CORRECTION_TEXT, at=at))

        # The search text is the real article_search_text of this in-memory article: its credits and units are
        # handed over as if prefetched, since none of them is saved yet.
        article._prefetched_objects_cache = {"credits": credits, "units": article_units, "figures": figures}
        article.search_text = self.tokens.search_text(article_search_text(article))
        del article._prefetched_objects_cache
        return {"article": article, "credits": credits, "figures": figures, "units": article_units,
                "events": events, "corrections": corrections}  # fmt: skip


def _insert(rows: list[dict]) -> dict[str, int]:
    from articles.models import Article, ArticleEvent, ArticlePhoto, Correction, Credit

    with _GivenTimestamps(Article):
        Article.objects.bulk_create([row["article"] for row in rows])
    credits = [c for row in rows for c in row["credits"]]
    figures = [f for row in rows for f in row["figures"]]
    events = [e for row in rows for e in row["events"]]
    corrections = [c for row in rows for c in row["corrections"]]
    Through = Article.units.through
    unit_rows = [Through(article_id=row["article"].pk, unit_id=u.pk) for row in rows for u in row["units"]]
    Credit.objects.bulk_create(credits)
    ArticlePhoto.objects.bulk_create(figures)
    Through.objects.bulk_create(unit_rows)
    ArticleEvent.objects.bulk_create(events)
    Correction.objects.bulk_create(corrections)
    return {"articles": len(rows), "credits": len(credits), "figures": len(figures), "units": len(unit_rows),
            "events": len(events), "corrections": len(corrections)}  # fmt: skip


def _check_search_text(article_ids: list[int]) -> None:
    """The cached tokens must equal what the search index itself computes for the saved article."""
    from articles.models import Article
    from articles.search import article_index

    for article in Article.objects.filter(pk__in=article_ids).select_related("series").prefetch_related(
        "credits__contributor", "units"
    ):
        stored = article.search_text
        article_index(article)
        if article.search_text != stored:
            raise AssertionError(
                f"bench.corpus computed other search tokens than articles.search.article_index for article "
                f"{article.pk}: the token shape changed; update bench.corpus._TokenCache"
            )


def _render_store():
    """``articles.rendering.articles_render_store`` (the stored body HTML, byline, JSON-LD and tag rows), or
    None while it does not exist."""
    import importlib

    try:
        return getattr(importlib.import_module("articles.rendering"), "articles_render_store", None)
    except ImportError:
        return None


@dataclass
class _Batch:
    index: int
    ids: list[int]
    slots: list[_Slot]
    check: bool = False


# What every batch needs, set before the batches run (inherited by forked workers).
_builder: _Builder | None = None
_seed = 0


def _run_batch(batch: _Batch) -> dict[str, int]:
    """Build, insert and render one batch in its own transaction (a savepoint inside a single-process load)."""
    from django.db import transaction

    rng = random.Random(f"{_seed}:batch:{batch.index}")
    rows = [_builder.build(rng, pk, slot) for pk, slot in zip(batch.ids, batch.slots, strict=True)]
    with transaction.atomic():
        counts = _insert(rows)
        render_store = _render_store()
        if render_store is not None:
            render_store(batch.ids, batch_size=RENDER_BATCH)
    if batch.check:
        _check_search_text(batch.ids[:: max(1, len(batch.ids) // 20)])
    return counts


def _render_batch(ids: list[int]) -> dict[str, int]:
    from django.db import transaction

    with transaction.atomic():
        _render_store()(ids, batch_size=RENDER_BATCH)
    return {"articles": len(ids)}


def _run_batches(batches: list, *, workers: int, log, task=_run_batch) -> dict[str, int]:
    """``task`` for every batch, in this process inside one transaction, or in ``workers`` forked processes."""
    from django.db import connections, transaction

    totals: dict[str, int] = {}
    started = time.perf_counter()
    total_articles = sum(len(b.ids) if isinstance(b, _Batch) else len(b) for b in batches)

    def add(counts: dict[str, int]) -> None:
        before = totals.get("articles", 0)
        for key, value in counts.items():
            totals[key] = totals.get(key, 0) + value
        done = totals["articles"]
        step = max(1, total_articles // 10)
        if done // step != before // step or done == total_articles:
            rate = done / (time.perf_counter() - started)
            log(f"  {done:>7} / {total_articles} articles  {rate:>6.0f}/s")

    if workers <= 1:
        with transaction.atomic():
            for batch in batches:
                add(task(batch))
        return totals
    import multiprocessing

    # Closed before the fork: each worker opens its own connection instead of sharing the parent's socket.
    connections.close_all()
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        for counts in pool.imap_unordered(task, batches):
            add(counts)
    return totals


# --- After the load -------------------------------------------------------------------------------------


def _announce() -> None:
    """Tell the page cache that the news changed, as a publication does: no page from before the load is fresh."""
    from articles.cache import NEWS
    from pingcheng import page_cache

    changed = getattr(page_cache, "page_product_changed", None) or page_cache.page_generation_bump
    changed(NEWS)


def _archive_days_rebuild() -> None:
    import importlib

    try:
        rebuild = getattr(importlib.import_module("articles.rendering"), "archive_days_rebuild", None)
    except ImportError:
        rebuild = None
    if rebuild is not None:
        rebuild()


def analyse() -> None:
    """Fresh planner statistics (autovacuum is off on these machines): VACUUM ANALYZE / ANALYZE."""
    from django.apps import apps
    from django.db import connection

    tables = set(connection.introspection.table_names())
    models = list(apps.get_app_config("articles").get_models()) + [
        apps.get_model("photos", "Photo"), apps.get_model("directory", "Contributor"),
        apps.get_model("directory", "Unit"),
    ]  # fmt: skip
    names = [m._meta.db_table for m in models]
    names += [m2m.remote_field.through._meta.db_table for m in models for m2m in m._meta.many_to_many]
    names = [n for n in dict.fromkeys(names) if n in tables]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for name in names:
                cursor.execute(f"VACUUM ANALYZE {quote(name)}")
        else:
            cursor.execute("ANALYZE")


# --- The whole run --------------------------------------------------------------------------------------


def corpus_build(*, articles: int, fresh: bool = False, seed: int = 0, batch_size: int = 1000,
                 workers: int | None = None, log=print) -> CorpusStats:  # fmt: skip
    """Load the demo page, then add ``articles`` generated articles; returns the counts and timings.

    Refuses (``CorpusRefused``) a database with articles it did not generate unless ``fresh``, and one that
    already holds a corpus unless ``fresh`` (a corpus of exactly the size asked is reported and left alone).

    ``workers``: processes building and inserting batches at once (PostgreSQL only; default 2 from 5,000
    articles on). One worker loads everything in a single transaction. Several commit batch by batch, with the
    plain indexes of the article and event tables dropped meanwhile and built again at the end (also after a
    failure, and by the next run if this one was killed: ``indexes_restore``).
    """
    global _builder, _seed
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from articles.models import Article, ArticleEvent
    from pingcheng.chinese import warm_up
    from pingcheng.directory.models import Unit

    started = time.perf_counter()
    stats = CorpusStats()
    phase = started

    def lap(name: str) -> None:
        nonlocal phase
        now = time.perf_counter()
        stats.phases[name] = round(now - phase, 1)
        phase = now

    if workers is None:
        workers = min(2, os.cpu_count() or 1) if articles >= 5000 else 1
    if connection.vendor != "postgresql":
        workers = 1  # one writer at a time
    if indexes_restore():
        log("rebuilt the indexes an interrupted load had dropped")
    # Counted before load_demo runs: on a full database its re-saved units would re-render every article
    # their contributors signed.
    generated, foreign = corpus_census()
    if foreign and not fresh:
        raise CorpusRefused(f"the database holds {foreign} articles that are not bench data; use --fresh to delete them")
    if generated and not fresh:
        if generated == articles:
            log(f"already holds a corpus of {generated} generated articles; nothing to do (--fresh rebuilds it)")
            stats.articles = generated
            return stats
        raise CorpusRefused(f"the database already holds {generated} generated articles; use --fresh to rebuild")
    if fresh and (generated or foreign):
        corpus_empty()
    call_command("load_demo", stdout=StringIO())
    if _render_store() is None:
        log("note: articles.rendering.articles_render_store is missing; derived fields are not stored")
    lap("prepare")

    rng = random.Random(seed)
    now = timezone.now()
    material = material_from_demo()
    units = list(Unit.objects.filter(kind__in=[Unit.Kind.STREET, Unit.Kind.COMMUNITY], is_active=True).order_by("pk"))
    people = _contributors(seed, units)
    photos = _photo_pool(rng, material, people["photographer"], units)
    series = _series()
    pages_by_day = _editions(timezone.localdate(now))
    timeline = _timeline(rng, articles, now, series, pages_by_day)
    ids = _allocate_ids(Article, len(timeline))
    batches = [
        _Batch(index=n, ids=ids[start : start + batch_size], slots=timeline[start : start + batch_size])
        for n, start in enumerate(range(0, len(timeline), batch_size))
    ]
    if batches:
        batches[0].check = batches[-1].check = True
    _builder = _Builder(seed=seed, material=material, people=people, photos=photos, units=units, series=series)
    _seed = seed
    warm_up()  # jieba and the dictionaries, loaded once before the workers fork
    stats.contributors = sum(len(v) for v in people.values())
    stats.photos, stats.editions = len(photos), len(pages_by_day)
    lap("material")

    parallel = workers > 1
    try:
        if parallel:
            _indexes_drop(Article, ArticleEvent)
        totals = _run_batches(batches, workers=workers, log=log)
        lap(f"articles ({workers} worker{'s' if parallel else ''})")
    finally:
        if parallel:
            indexes_restore()
    if parallel:
        lap("indexes")
    _archive_days_rebuild()
    _announce()
    analyse()
    lap("analyse")

    stats.articles = totals.get("articles", 0)
    stats.live = sum(1 for slot in timeline if slot.status == "published")
    stats.series_parts = sum(1 for slot in timeline if slot.series_id)
    stats.credits, stats.figures, stats.units = totals.get("credits", 0), totals.get("figures", 0), totals.get("units", 0)
    stats.events, stats.corrections = totals.get("events", 0), totals.get("corrections", 0)
    stats.seconds = round(time.perf_counter() - started, 1)
    return stats


def corpus_render(*, workers: int | None = None, batch_size: int = 1000, log=print) -> CorpusStats:
    """Render the stored fields of every article again (after ``articles.rendering`` changed what it stores),
    through ``articles_render_store``, in parallel on PostgreSQL. The indexes stay: others may be measuring on
    the same database meanwhile. Leaves the tables analysed."""
    from django.db import connection

    from articles.models import Article

    started = time.perf_counter()
    if _render_store() is None:
        raise CorpusRefused("articles.rendering.articles_render_store is missing: nothing renders stored fields")
    indexes_restore()
    ids = list(Article.objects.order_by("pk").values_list("pk", flat=True))
    if workers is None:
        workers = min(2, os.cpu_count() or 1) if len(ids) >= 5000 else 1
    if connection.vendor != "postgresql":
        workers = 1
    batches = [ids[start : start + batch_size] for start in range(0, len(ids), batch_size)]
    stats = CorpusStats()
    stats.articles = _run_batches(batches, workers=workers, log=log, task=_render_batch).get("articles", 0)
    stats.phases["render"] = round(time.perf_counter() - started, 1)
    _archive_days_rebuild()
    _announce()
    analyse()
    stats.seconds = round(time.perf_counter() - started, 1)
    stats.phases["analyse"] = round(stats.seconds - stats.phases["render"], 1)
    return stats


def corpus_report(stats: CorpusStats) -> str:
    rate = stats.articles / stats.seconds if stats.seconds else 0
    return (
        f"articles {stats.articles} (published {stats.live}), credits {stats.credits}, figures {stats.figures}, "
        f"unit links {stats.units}, events {stats.events}, corrections {stats.corrections}, series parts "
        f"{stats.series_parts}, photos {stats.photos}, contributors {stats.contributors}, editions {stats.editions}\n"
        f"{stats.seconds} s in all, {rate:.0f} articles/s; phases (s): {stats.phases}"
    )


# --- Command line ---------------------------------------------------------------------------------------


def bench_environment() -> None:
    """Production settings with what a bench run needs and nothing of a developer's own files."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pingcheng.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "not-a-secret-" * 4)
    # A fixed, public Fernet key: the bench's residents are invented, and production refuses to start without one.
    os.environ.setdefault("PERSONAL_DATA_KEYS", "YmVuY2gtb25seS1ub3QtYS1zZWNyZXQta2V5LTMyYnk=")
    os.environ.setdefault("VAR_DIR", str(REPO / "var" / "bench"))
    os.environ.setdefault("MEDIA_ROOT", str(Path(os.environ["VAR_DIR"]) / "media"))
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{REPO / 'var' / 'bench' / 'bench.sqlite3'}")


def database_ensure(url: str) -> dict:
    """Create the database DATABASE_URL names if it does not exist yet (PostgreSQL), or its folder (SQLite)."""
    import dj_database_url

    config = dj_database_url.parse(url)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        Path(config["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        return config
    import psycopg
    from psycopg import sql

    params = {"host": config.get("HOST") or None, "port": config.get("PORT") or None, "user": config.get("USER") or None,
              "password": config.get("PASSWORD") or None, "dbname": "postgres", "autocommit": True}  # fmt: skip
    with psycopg.connect(**{k: v for k, v in params.items() if v is not None}) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]).fetchone()
        if not exists:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))
    return config


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.corpus", description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=10_000, help="how many articles to generate (default 10000)")
    parser.add_argument("--fresh", action="store_true", help="delete every article but the demo page's first")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--workers", type=int, help="processes loading at once (PostgreSQL; default 2 from 5000 on)")
    parser.add_argument("--render", action="store_true",
                        help="only render every article's stored fields again (after articles.rendering changed)")
    args = parser.parse_args(argv)

    bench_environment()
    config = database_ensure(os.environ["DATABASE_URL"])
    if "bench" not in Path(str(config["NAME"])).name:
        print(f"refused: {config['NAME']!r} is not a bench database (its name must contain 'bench')", file=sys.stderr)
        return 2
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"database {config['NAME']} ({connection.vendor}) migrated in {time.perf_counter() - started:.1f} s")
    try:
        if args.render:
            # Migrated above: a new stored field arrives with its migration.
            stats = corpus_render(workers=args.workers, batch_size=args.batch_size)
            print(f"rendered {stats.articles} articles in {stats.seconds} s; phases (s): {stats.phases}")
            return 0
        stats = corpus_build(articles=args.articles, fresh=args.fresh, seed=args.seed, batch_size=args.batch_size,
                             workers=args.workers)
    except CorpusRefused as refusal:
        print(f"refused: {refusal}", file=sys.stderr)
        return 2
    print(corpus_report(stats))
    return 0


if __name__ == "__main__":
    sys.exit(main())
