"""Fill the database with a large archive for load tests: `manage.py seed_scale --articles 100000`.

What it makes, on top of whatever is there (the demo newsroom, usually):
- a few reporters (`scale-reporter-N`) and a pool of readers (`scale-reader-NNNNN`, with nicknames), all with
  the demo password (`DEMO_PASSWORD`, default portal-demo-2026), so a benchmark can sign them in;
- N published articles over the menu sections, published evenly over `--years` years up to now, titles and
  bodies drawn from a Korean word list with a skew (a few words in most articles, a long tail of rare ones),
  each with its ArticleSearchText row made by news.search.search_fields (the model's own normaliser);
- `--comments` comments an article (replies among them), an exact `--private-share` of them private,
  from the reader pool with a skew (some readers comment far more than others);
- DailyViews rows for the articles of the last `--view-days` days, from a heavy-tailed popularity that
  fades with age, so 가장 많이 본 뉴스 has a clear order.

Rows go in with PostgreSQL's COPY (psycopg 3), a batch of articles at a time, so memory stays flat
whatever N is; ids are taken from the tables' own sequences, so the rows are ordinary rows. The whole
load is one transaction: a run that is stopped leaves nothing behind. While it loads, the tables' foreign
keys and secondary indexes are set aside and rebuilt at the end (`indexes_and_keys_set_aside`), which
holds their tables locked: seed a database that is not serving readers. The command refuses to add a
second archive on top of one it made (the figures measured on it would no longer say what size they are
for); `--reset` removes the previous one (only what this command made) first. At the end it refreshes
the planner statistics (VACUUM ANALYZE, which also lets index-only scans skip the fresh heap pages) and
clears the cache, since rankings and pages cached before the load no longer describe the data.

Bypassing Article.save() is the point (one save is a dozen queries); what save() would add is done here
instead: the byline and e-mail, the search text, the body already in the sanitiser's form (words and <p>).
"""

from __future__ import annotations

import random
import time
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, models, transaction
from django.utils import timezone
from psycopg.types.json import Jsonb

from comments.models import Comment, Commenter, Report
from news import search
from news.models import Article, ArticleSearchText, DailyViews, Section
from portal import demo, roles

PREFIX = "scale-"
REPORTER_NAMES = ["윤서연", "강민재", "오지훈", "신예은", "장태오", "문하린", "배도현", "임수아"]

# The vocabulary. Articles draw COMMON words in almost every story, ORDINARY ones in a fair share, a long
# synthetic tail of two- and three-syllable words each in a few percent, and RARE words in well under one
# article in a thousand, so search meets both kinds of word. Weights are per word.
COMMON = [
    "경제",
    "사회",
    "한인",
    "상하이",
    "정부",
    "기업",
    "시장",
    "주민",
    "지역",
    "행사",
    "관계자",
    "올해",
    "지난해",
    "이번",
    "계획",
    "문제",
    "결과",
    "상황",
    "가격",
    "교민",
]
ORDINARY = [
    "문화",
    "교육",
    "푸둥",
    "민항",
    "홍차오",
    "구베이",
    "징안",
    "쉬후이",
    "환율",
    "학교",
    "학생",
    "부모",
    "축제",
    "공연",
    "식당",
    "병원",
    "지하철",
    "노선",
    "개통",
    "회장",
    "대표",
    "투자",
    "수출",
    "무역",
    "관광",
    "비자",
    "거주증",
    "영사관",
    "도서관",
    "전시회",
    "음악회",
    "정책",
    "발표",
    "회의",
    "협회",
    "센터",
    "창업",
    "지원",
    "서비스",
    "상승",
    "하락",
    "날씨",
    "폭염",
    "태풍",
    "안전",
    "교통",
    "공항",
    "항공권",
    "반도체",
    "전기차",
    "배터리",
    "인공지능",
    "플랫폼",
    "온라인",
    "쇼핑",
    "배달",
    "커피",
    "한식",
    "축구",
    "야구",
    "봉사",
    "기부",
    "주재원",
    "국제학교",
    "입시",
    "유학",
    "부동산",
    "임대료",
    "월세",
    "세금",
    "보험",
    "의료",
    "약국",
    "소아과",
    "치과",
    "검진",
    "미세먼지",
    "장마",
    "명절",
    "설날",
    "추석",
    "한글날",
    "동호회",
    "합창단",
    "골프",
    "등산",
    "자전거",
    "봉사단",
    "청소년",
    "노인회",
    "상공회의소",
    "무역협회",
    "박람회",
    "설명회",
    "세미나",
    "간담회",
    "장학금",
    "기념식",
    "공모전",
    "채용",
    "일자리",
    "물가",
    "소비",
    "매출",
    "수입",
    "관세",
    "물류",
    "택배",
    "전자상거래",
    "결제",
]
RARE = [
    "김치",
    "마라톤",
    "가야금",
    "판소리",
    "서예",
    "탁구",
    "바둑",
    "씨름",
    "한복",
    "태권도",
    "사물놀이",
    "윷놀이",
    "송편",
    "떡국",
    "비빔밥",
    "막걸리",
    "백일장",
    "도자기",
    "나전칠기",
    "단소",
]
_SYLLABLES = (
    "가나다라마바사아자차카타파하고노도로모보소오조초코토포호구누두루무부수우주추쿠투푸후기니디리미비시이지치키티피히"
)
SYNTHETIC = sorted(
    {a + b for a in _SYLLABLES for b in _SYLLABLES[::3]}
    | {a + b + c for a in _SYLLABLES[:14] for b in _SYLLABLES[1::4] for c in _SYLLABLES[2::5]}
)
WEIGHTS = {"common": 40.0, "ordinary": 4.0, "synthetic": 0.3, "rare": 0.004}
PARTICLES = ["", "", "", "이", "가", "은", "는", "을", "를", "에", "에서", "의", "와", "과", "도", "로", "까지"]
PREDICATES = [
    "밝혔다",
    "발표했다",
    "전했다",
    "예정이다",
    "늘었다",
    "줄었다",
    "열렸다",
    "나섰다",
    "강조했다",
    "설명했다",
    "기대된다",
    "주목된다",
    "마련됐다",
    "시작됐다",
    "이어졌다",
    "모였다",
    "지적했다",
]
COMMENT_LINES = [
    "{} 소식 반갑네요.",
    "{} 관련해서 더 알고 싶습니다.",
    "{} 문제는 꼭 해결됐으면 좋겠어요.",
    "{}에 대해 좋은 정보 감사합니다.",
    "저도 {} 때문에 고민이 많았어요.",
    "{} 기사 잘 읽었습니다.",
    "{} 이야기는 처음 듣네요.",
    "{} 일정이 언제인지 궁금합니다.",
    "{}은 작년보다 나아졌네요.",
    "주변에 {} 얘기를 하는 분이 많아요.",
]
NICK_HEADS = ["푸둥", "민항", "구베이", "징안", "홍차오", "쉬후이", "창닝", "훙커우", "양푸", "쑹장"]
NICK_TAILS = ["주민", "아빠", "엄마", "새내기", "토박이", "러버", "직장인", "유학생", "사장님", "독자"]


class Vocabulary:
    """Titles, bodies and comments drawn from the word lists with the weights above."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        words = COMMON + ORDINARY + SYNTHETIC + RARE
        weights = (
            [WEIGHTS["common"]] * len(COMMON)
            + [WEIGHTS["ordinary"]] * len(ORDINARY)
            + [WEIGHTS["synthetic"]] * len(SYNTHETIC)
            + [WEIGHTS["rare"]] * len(RARE)
        )
        self.words = words
        self.cum_weights = []
        total = 0.0
        for weight in weights:
            total += weight
            self.cum_weights.append(total)

    def nouns(self, n: int) -> list[str]:
        return self.rng.choices(self.words, cum_weights=self.cum_weights, k=n)

    def title(self) -> str:
        return " ".join(self.nouns(self.rng.randint(4, 7)))

    def body_html(self, words: int) -> str:
        """Paragraphs of sentences (6 to 12 words, a predicate and a full stop), words only: already what
        the body sanitiser keeps. Drawn in one go per article: this is the seeder's hot loop."""
        rng = self.rng
        tokens = [w + p for w, p in zip(self.nouns(words), rng.choices(PARTICLES, k=words), strict=True)]
        predicates = rng.choices(PREDICATES, k=words // 6 + 1)
        paragraphs, sentences, at, n = [], [], 0, 0
        while at < words:
            size = rng.randint(6, 12)
            sentences.append(" ".join(tokens[at : at + size]) + " " + predicates[n] + ".")
            at, n = at + size, n + 1
            if len(sentences) == 3 or at >= words:
                paragraphs.append("<p>" + " ".join(sentences) + "</p>")
                sentences = []
        return "".join(paragraphs)

    def comment(self) -> str:
        return self.rng.choice(COMMENT_LINES).format(self.nouns(1)[0])


def copy_rows(cursor, model: type[models.Model], values: list[dict], skip: tuple[str, ...] = ()) -> int:
    """COPY dicts of attribute values into the model's table; a field left out gets its default."""
    fields = [f for f in model._meta.concrete_fields if f.attname not in skip]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    statement = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN"
    defaults = {f.attname: f.get_default() for f in fields}
    with cursor.copy(statement) as copy:
        for row in values:
            out = []
            for f in fields:
                value = row[f.attname] if f.attname in row else defaults[f.attname]
                if isinstance(f, models.JSONField):
                    value = Jsonb(value)
                out.append(value)
            copy.write_row(out)
    return len(values)


def take_ids(cursor, model: type[models.Model], n: int) -> list[int]:
    """N fresh primary keys from the table's own sequence (safe alongside other writers)."""
    if n == 0:
        return []
    cursor.execute(
        "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [model._meta.db_table, n]
    )
    return [row[0] for row in cursor.fetchall()]


@contextmanager
def indexes_and_keys_set_aside(cursor, models_: list[type[models.Model]], log):
    """Drop the tables' foreign keys and secondary indexes for the load; add them back after it, in the same
    transaction (PostgreSQL's manual, "Populating a Database").

    Building an index once over all rows is many times faster than updating it row by row (the GIN trigram
    index of the search text costs ~2 ms a row kept up to date during COPY), and one join validates a
    foreign key faster than a lookup per row. Indexes that back a constraint (primary keys, unique) stay.
    Each is recreated from its own definition, names included, so the schema ends as the migrations left
    it; a run that fails rolls the drop back with everything else.
    """
    tables = [m._meta.db_table for m in models_]
    cursor.execute(
        """
        SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c
        WHERE c.contype = 'f' AND c.conrelid = ANY(%s::regclass[])
        """,
        [tables],
    )
    keys = cursor.fetchall()
    cursor.execute(
        """
        SELECT i.indexname, i.indexdef FROM pg_indexes i
        WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s)
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c
                          WHERE c.conindid = (quote_ident(i.schemaname) || '.' || quote_ident(i.indexname))::regclass)
        """,
        [tables],
    )
    indexes = cursor.fetchall()
    # Django's foreign keys are DEFERRABLE INITIALLY DEFERRED: the checks still pending (--reset's deletes,
    # the new accounts) must run now, before their constraints and the indexes they use are dropped.
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    quote = connection.ops.quote_name
    for table, name, _definition in keys:
        cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quote(name)}")
    for name, _definition in indexes:
        cursor.execute(f"DROP INDEX {quote(name)}")
    yield
    started = time.perf_counter()
    cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
    slowest = ("", 0.0)
    for name, definition in indexes:
        begun = time.perf_counter()
        cursor.execute(definition)
        slowest = max(slowest, (name, time.perf_counter() - begun), key=lambda pair: pair[1])
    built = time.perf_counter()
    for table, name, definition in keys:
        cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {definition}")
    cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    log(
        f"  인덱스 {len(indexes)}개 다시 만들기 {built - started:.1f}초 (가장 오래 걸린 {slowest[0]} {slowest[1]:.1f}초), "
        f"외래 키 {len(keys)}개 검사 {time.perf_counter() - built:.1f}초"
    )


class Command(BaseCommand):
    help = "부하 시험용 대용량 기사·댓글·조회수를 PostgreSQL COPY로 빠르게 넣습니다 (--articles, 기본 100,000건)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--articles", type=int, default=100_000, help="기사 수 (기본 100,000)")
        parser.add_argument("--comments", type=int, default=10, help="기사당 댓글 수 (기본 10)")
        parser.add_argument("--private-share", type=float, default=0.1, help="비밀 댓글 비율 (기본 0.1)")
        parser.add_argument("--readers", type=int, default=1000, help="댓글 쓰는 독자 계정 수 (기본 1,000)")
        parser.add_argument("--reporters", type=int, default=5, help="기자 계정 수 (기본 5)")
        parser.add_argument("--years", type=float, default=5.0, help="발행 시각을 펼칠 기간, 년 (기본 5)")
        parser.add_argument("--view-days", type=int, default=30, help="조회수 기록을 만들 최근 일수 (기본 30)")
        parser.add_argument("--body-words", type=int, default=150, help="본문 단어 수 (기본 150)")
        parser.add_argument("--batch", type=int, default=2000, help="한 번에 넣는 기사 수 (기본 2,000)")
        parser.add_argument("--seed", type=int, default=2026, help="난수 시드 (같은 시드면 같은 내용)")
        parser.add_argument("--reset", action="store_true", help="이 명령이 전에 넣은 자료를 먼저 지웁니다")

    def handle(self, *args, **options) -> None:
        if connection.vendor != "postgresql":
            raise CommandError(
                "seed_scale needs PostgreSQL: it loads rows with COPY. Set DATABASE_URL=postgres://… "
                f"(this database is {connection.vendor})."
            )
        self.check_options(options)
        User = get_user_model()
        seeded = Article.objects.filter(reporter__username__startswith=PREFIX)
        if seeded.exists() and not options["reset"]:
            raise CommandError(
                f"This database already holds a seed_scale archive ({seeded.count():,} articles). "
                "Run with --reset to replace it; a second archive on top would make the figures measured on it "
                "mean a different size."
            )
        started = time.perf_counter()
        self.rng = random.Random(options["seed"])  # nosec B311  # repeatable test content, no secret
        self.vocabulary = Vocabulary(self.rng)
        self.copy_seconds: dict[str, float] = {}
        with transaction.atomic():
            if options["reset"]:
                self.remove_previous(User)
            sections = self.sections()
            # One hash for every account: hashing a thousand passwords would take minutes, and they are the same.
            password = make_password(settings.DEMO_PASSWORD)
            reporters = self.reporters(User, options["reporters"], password)
            readers = self.readers(User, options["readers"], password)
            totals = self.load(sections, reporters, readers, options)
        loaded = time.perf_counter() - started
        self.refresh_statistics()
        cache.clear()
        elapsed = time.perf_counter() - started
        rows = sum(v for k, v in totals.items() if k != "private")
        self.stdout.write(
            self.style.SUCCESS(
                f"seed_scale 완료: 기사 {totals['articles']:,}건, 검색 텍스트 {totals['search']:,}행, "
                f"댓글 {totals['comments']:,}건 (비밀 {totals['private']:,}건), 조회 기록 {totals['views']:,}행"
            )
        )
        self.stdout.write(
            f"  적재 {loaded:.1f}초 ({totals['articles'] / loaded:,.0f} 기사/초, {rows / loaded:,.0f} 행/초; "
            f"그중 COPY {sum(self.copy_seconds.values()):.1f}초: "
            + ", ".join(f"{k} {v:.1f}" for k, v in self.copy_seconds.items())
            + f"), 통계 갱신 포함 전체 {elapsed:.1f}초"
        )
        password = settings.DEMO_PASSWORD
        self.stdout.write(f"  독자 계정 {PREFIX}reader-00001 … (비밀번호 {password}), 기자 계정 {PREFIX}reporter-1 …")

    def check_options(self, options: dict) -> None:
        if options["articles"] < 1:
            raise CommandError("--articles must be at least 1.")
        if options["comments"] < 0 or options["view_days"] < 0 or options["body_words"] < 1:
            raise CommandError("--comments and --view-days cannot be negative, --body-words must be at least 1.")
        if not 0 <= options["private_share"] <= 1:
            raise CommandError("--private-share is a share between 0 and 1.")
        if options["readers"] < 1 or not 1 <= options["reporters"] <= len(REPORTER_NAMES):
            raise CommandError(f"--readers must be at least 1 and --reporters between 1 and {len(REPORTER_NAMES)}.")
        if options["years"] <= 0 or options["batch"] < 1:
            raise CommandError("--years and --batch must be positive.")

    def remove_previous(self, User) -> None:
        """Delete what an earlier run made (its accounts and everything hanging from them), nothing else."""
        self.stdout.write("이전 seed_scale 자료를 지웁니다 …")
        started = time.perf_counter()
        quote = connection.ops.quote_name
        users = User.objects.filter(username__startswith=PREFIX)
        articles = Article.objects.filter(reporter__in=users)
        DailyViews.objects.filter(article__in=articles).delete()
        ArticleSearchText.objects.filter(article__in=articles).delete()
        # Comments on those articles or by those readers, and replies to them: a raw DELETE, since the
        # ORM's collector would load a million rows to cascade by hand what one statement does.
        users_sql, users_params = users.values("id").query.sql_with_params()
        articles_sql, articles_params = articles.values("id").query.sql_with_params()
        comment, report = quote(Comment._meta.db_table), quote(Report._meta.db_table)
        doomed = f"SELECT id FROM {comment} WHERE article_id IN ({articles_sql}) OR author_id IN ({users_sql})"  # nosec B608  # names are the models' own, values are parameters
        params = [*articles_params, *users_params]
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS scale_doomed")
            cursor.execute(f"CREATE TEMPORARY TABLE scale_doomed ON COMMIT DROP AS {doomed}", params)
            cursor.execute(
                f"INSERT INTO scale_doomed SELECT id FROM {comment} "  # nosec B608  # names are the models' own, values are parameters
                "WHERE parent_id IN (SELECT id FROM scale_doomed)"
            )
            cursor.execute(
                f"DELETE FROM {report} WHERE comment_id IN (SELECT id FROM scale_doomed) "  # nosec B608  # names are the models' own, values are parameters
                f"OR reporter_id IN ({users_sql})",
                users_params,
            )
            cursor.execute(f"DELETE FROM {comment} WHERE id IN (SELECT id FROM scale_doomed)")  # nosec B608  # names are the models' own, values are parameters
            removed_comments = cursor.rowcount
            cursor.execute(
                f"DELETE FROM {quote(Article._meta.db_table)} WHERE id IN ({articles_sql})",  # nosec B608  # names are the models' own, values are parameters
                articles_params,
            )
            removed_articles = cursor.rowcount
        users.delete()  # a thousand accounts: the ORM's cascade (nicknames, groups, sessions' owners) is fine
        self.stdout.write(
            f"  기사 {removed_articles:,}건, 댓글 {removed_comments:,}건을 지웠습니다 "
            f"({time.perf_counter() - started:.1f}초)."
        )

    def sections(self) -> list[Section]:
        sections = list(Section.objects.filter(show_in_menu=True)) or list(Section.objects.all())
        if not sections:
            for order, row in enumerate(demo.load("newsroom")["sections"], start=1):
                sections.append(Section.objects.create(slug=row["slug"], name=row["name"], menu_order=order))
        return sections

    def reporters(self, User, count: int, password: str) -> list:
        group = roles.ensure_roles()[roles.REPORTER]
        reporters = []
        for n, name in enumerate(REPORTER_NAMES[:count], start=1):
            reporter = User.objects.create(
                username=f"{PREFIX}reporter-{n}",
                first_name=name,
                is_staff=True,
                email=f"{PREFIX}reporter-{n}@example.com",
                password=password,
            )
            reporter.groups.add(group)
            reporters.append(reporter)
        return reporters

    def readers(self, User, count: int, password: str) -> list[int]:
        users = User.objects.bulk_create(
            [
                User(username=f"{PREFIX}reader-{n:05d}", email=f"{PREFIX}reader-{n:05d}@example.com", password=password)
                for n in range(1, count + 1)
            ],
            batch_size=1000,
        )
        Commenter.objects.bulk_create(
            [
                Commenter(user=user, nickname=f"{NICK_HEADS[n % 10]}{NICK_TAILS[n // 10 % 10]}{n}")
                for n, user in enumerate(users, start=1)
            ],
            batch_size=1000,
        )
        return [user.pk for user in users]

    def load(self, sections, reporters, readers: list[int], options: dict) -> dict[str, int]:
        total, batch = options["articles"], options["batch"]
        now = timezone.now()
        span = timedelta(days=365.25 * options["years"])
        step = span / total
        today = timezone.localdate(now)
        first_view_day = today - timedelta(days=options["view_days"] - 1) if options["view_days"] else None
        totals = {"articles": 0, "search": 0, "comments": 0, "private": 0, "views": 0}
        self.stdout.write(
            f"기사 {total:,}건을 넣습니다 (섹션 {len(sections)}개, 기자 {len(reporters)}명, "
            f"독자 {len(readers):,}명, {options['batch']:,}건씩) …"
        )
        started = last_report = time.perf_counter()
        with (
            connection.cursor() as wrapper,
            indexes_and_keys_set_aside(wrapper, [Article, ArticleSearchText, Comment, DailyViews], self.stdout.write),
        ):
            cursor = wrapper.cursor  # psycopg's own cursor, for COPY
            for offset in range(0, total, batch):
                size = min(batch, total - offset)
                ids = take_ids(cursor, Article, size)
                articles, texts, views = [], [], []
                for i, pk in enumerate(ids):
                    # Oldest first, so ids grow with time as in a real archive; the last one a minute ago.
                    published = (
                        now - timedelta(minutes=1) - (total - 1 - (offset + i)) * step + step * self.rng.random() * 0.5
                    )
                    published = min(published, now - timedelta(minutes=1))
                    articles.append(self.article(pk, published, sections, reporters, options))
                    texts.append(
                        {
                            "article_id": pk,
                            **search.search_fields(
                                articles[-1]["title"], articles[-1]["subtitle"], articles[-1]["body"]
                            ),
                        }
                    )
                    if first_view_day and timezone.localdate(published) >= first_view_day:
                        views.extend(self.daily_views(pk, timezone.localdate(published), today))
                comments = self.comments(articles, readers, options, totals, cursor, now)
                for key, model, rows, skip in [
                    ("articles", Article, articles, ()),
                    ("search", ArticleSearchText, texts, ()),
                    ("comments", Comment, comments, ()),
                    ("views", DailyViews, views, ("id",)),
                ]:
                    copy_started = time.perf_counter()
                    totals[key] += copy_rows(cursor, model, rows, skip)
                    self.copy_seconds[key] = self.copy_seconds.get(key, 0.0) + time.perf_counter() - copy_started
                moment = time.perf_counter()
                if moment - last_report >= 5 or offset + size == total:
                    last_report = moment
                    rate = totals["articles"] / (moment - started)
                    rows = sum(v for k, v in totals.items() if k != "private")
                    self.stdout.write(
                        f"  기사 {totals['articles']:,}/{total:,} · 댓글 {totals['comments']:,} · "
                        f"조회 기록 {totals['views']:,} · {rate:,.0f} 기사/초, {rows / (moment - started):,.0f} 행/초 "
                        f"· {moment - started:.0f}초"
                    )
        return totals

    def article(self, pk: int, published: datetime, sections, reporters, options: dict) -> dict:
        words = self.vocabulary
        reporter = reporters[pk % len(reporters)]
        return {
            "id": pk,
            "title": words.title(),
            "subtitle": " ".join(words.nouns(self.rng.randint(6, 10))) if self.rng.random() < 0.5 else "",
            "body": words.body_html(options["body_words"]),
            "section_id": sections[self.rng.randrange(len(sections))].pk,
            "lead_image": "",
            "lead_image_caption": "",
            "lead_image_alt": "",
            "lead_renditions": {},
            "reporter_id": reporter.pk,
            "byline": reporter.first_name,
            "byline_email": reporter.email,
            "status": Article.Status.PUBLISHED,
            "featured": False,
            "comments_enabled": True,
            "published_at": published,
            "created_at": published,
            "updated_at": published,
        }

    def comments(
        self, articles: list[dict], readers: list[int], options: dict, totals: dict, cursor, now
    ) -> list[dict]:
        """`--comments` per article, oldest first; about one in five answers an earlier public comment;
        exactly `--private-share` of all comments private (spread by a running total, placed at random)."""
        per, share = options["comments"], options["private_share"]
        ids = iter(take_ids(cursor, Comment, per * len(articles)))
        rng, rows = self.rng, []
        for article in articles:
            done = totals["comments"] + len(rows)
            private_here = set(rng.sample(range(per), int((done + per) * share) - int(done * share)))
            totals["private"] += len(private_here)
            published = article["published_at"]
            window = max(0.0, min((now - published).total_seconds(), 3 * 24 * 3600))
            times = sorted(published + timedelta(seconds=window * rng.random()) for _ in range(per))
            top_level: list[dict] = []
            for j in range(per):
                row = {
                    "id": next(ids),
                    "article_id": article["id"],
                    "author_id": readers[int(len(readers) * rng.random() ** 2)],  # a few readers comment a lot
                    "parent_id": None,
                    "body": self.vocabulary.comment(),
                    "private": j in private_here,
                    "status": Comment.Status.PUBLISHED,
                    "has_replies": False,
                    "report_count": 0,
                    "created_at": times[j],
                    "moderated_at": None,
                    "moderated_by_id": None,
                    "moderation_note": "",
                    # submission_token: left to its default (none; seeded comments were not posted from a form)
                }
                public_parents = [c for c in top_level if not c["private"]]
                if public_parents and rng.random() < 0.2:
                    parent = rng.choice(public_parents)
                    row["parent_id"] = parent["id"]
                    parent["has_replies"] = True
                else:
                    top_level.append(row)
                rows.append(row)
        return rows

    def daily_views(self, article_id: int, first_day, today) -> list[dict]:
        """A story's views from its first day to today: a heavy-tailed popularity, fading day by day."""
        popularity = 30 * self.rng.paretovariate(1.2)
        rows = []
        for age in range((today - first_day).days + 1):
            views = int(popularity / (1 + age) ** 1.3 * self.rng.uniform(0.7, 1.3))
            if views:
                rows.append({"article_id": article_id, "day": first_day + timedelta(days=age), "views": views})
        return rows

    def refresh_statistics(self) -> None:
        """Planner statistics for the new rows. Outside a transaction VACUUM ANALYZE (it also marks the pages
        all-visible, so index-only scans such as the rankings query's skip the heap); inside one (tests),
        ANALYZE."""
        tables = [m._meta.db_table for m in (Article, ArticleSearchText, Comment, DailyViews, Commenter)]
        started = time.perf_counter()
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"{command} {connection.ops.quote_name(table)}")
        self.stdout.write(f"  {command}: {time.perf_counter() - started:.1f}초")
