import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    """Series, article types and corrections (#17)."""

    dependencies = [
        ("news", "0007_search"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Series",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=60, unique=True, verbose_name="연재 이름")),
                (
                    "slug",
                    models.SlugField(
                        allow_unicode=True,
                        help_text="주소에 쓰입니다 (예: book-club)",
                        max_length=60,
                        unique=True,
                        verbose_name="주소 이름",
                    ),
                ),
                (
                    "writer",
                    models.CharField(
                        blank=True,
                        help_text="한 사람의 칼럼이면 그 필자의 이름 (예: 김상해)",
                        max_length=60,
                        verbose_name="필자",
                    ),
                ),
                ("description", models.TextField(blank=True, max_length=1000, verbose_name="소개")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="만든 시각")),
            ],
            options={"verbose_name": "연재", "verbose_name_plural": "연재", "ordering": ["name"]},
        ),
        migrations.AddField(
            model_name="article",
            name="kind",
            field=models.CharField(
                choices=[
                    ("report", "자체기사"),
                    ("press", "보도자료"),
                    ("contribution", "기고"),
                    ("column", "칼럼"),
                    ("editorial", "사설"),
                    ("sponsored", "광고·협찬"),
                ],
                default="report",
                help_text="광고·협찬 기사는 목록마다 ‘광고’ 표시가 붙고 많이 본 뉴스에 오르지 않습니다.",
                max_length=12,
                verbose_name="기사 유형",
            ),
        ),
        migrations.AddField(
            model_name="article",
            name="series_number",
            field=models.PositiveIntegerField(
                blank=True,
                help_text="비워 두면 이 연재의 다음 회차 번호가 붙습니다.",
                null=True,
                verbose_name="연재 회차",
            ),
        ),
        migrations.AddField(
            model_name="article",
            name="series",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="installments",
                to="news.series",
                verbose_name="연재",
            ),
        ),
        migrations.AddConstraint(
            model_name="article",
            constraint=models.UniqueConstraint(
                fields=("series", "series_number"),
                name="article_one_installment_per_number",
                violation_error_message="이 연재에 같은 회차 번호의 기사가 이미 있습니다.",
            ),
        ),
        migrations.CreateModel(
            name="Correction",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "kind",
                    models.CharField(
                        choices=[("correction", "정정보도"), ("reply", "반론보도"), ("follow_up", "추후보도")],
                        default="correction",
                        max_length=10,
                        verbose_name="종류",
                    ),
                ),
                ("body", models.TextField(max_length=3000, verbose_name="내용")),
                (
                    "published_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="게재 일시"),
                ),
                (
                    "article",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="corrections",
                        to="news.article",
                        verbose_name="기사",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="작성 편집자",
                    ),
                ),
            ],
            options={
                "verbose_name": "정정·반론·추후보도",
                "verbose_name_plural": "정정·반론·추후보도",
                "ordering": ["-published_at", "-id"],
                "indexes": [models.Index(fields=["-published_at", "-id"], name="correction_newest_idx")],
            },
        ),
        migrations.CreateModel(
            name="CorrectionRequest",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "kind",
                    models.CharField(
                        choices=[("correction", "정정보도 요청"), ("reply", "반론보도 요청")],
                        default="correction",
                        max_length=10,
                        verbose_name="요청 종류",
                    ),
                ),
                ("name", models.CharField(max_length=40, verbose_name="이름")),
                ("email", models.EmailField(blank=True, max_length=254, verbose_name="이메일")),
                ("phone", models.CharField(blank=True, max_length=30, verbose_name="전화번호")),
                (
                    "body",
                    models.TextField(
                        help_text="기사의 어느 부분이 어떻게 사실과 다른지", max_length=5000, verbose_name="요청 내용"
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("new", "새 요청"),
                            ("in_review", "검토 중"),
                            ("corrected", "정정·반론 게재"),
                            ("declined", "게재하지 않음"),
                        ],
                        default="new",
                        max_length=10,
                        verbose_name="처리 상태",
                    ),
                ),
                ("notes", models.TextField(blank=True, verbose_name="편집국 메모")),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="접수 시각")),
                (
                    "article",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="correction_requests",
                        to="news.article",
                        verbose_name="기사",
                    ),
                ),
                (
                    "sender",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="보낸 회원",
                    ),
                ),
            ],
            options={
                "verbose_name": "정정·반론보도 요청",
                "verbose_name_plural": "정정·반론보도 요청",
                "ordering": ["-created_at", "-id"],
                "constraints": [
                    models.CheckConstraint(
                        condition=~models.Q(email="") | ~models.Q(phone=""),
                        name="correctionrequest_has_a_way_to_reply",
                        violation_error_message="이메일이나 전화번호 중 하나는 적어 주세요.",
                    )
                ],
            },
        ),
    ]
