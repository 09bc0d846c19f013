"""Migrations that move data keep every row: Contributor and Photo leave the newsroom for the platform."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE_MOVE = [("articles", "0003_search_index"), ("directory", "0001_initial"), ("photos", None),
               ("admin", "0003_logentry_add_action_flag_choices")]  # fmt: skip
STATE_BEFORE = [node for node in BEFORE_MOVE if node[1]] + [("contenttypes", "0002_remove_content_type_name")]



def test_contributors_photos_credits_and_figures_survive_the_move_to_the_platform():
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    try:
        executor.migrate(BEFORE_MOVE)
        old = MigrationExecutor(connection).loader.project_state(STATE_BEFORE).apps
        Unit = old.get_model("directory", "Unit")
        root = Unit.objects.create(name="平城区", code="pingcheng", kind="district", path="/pingcheng/")
        unit = Unit.objects.create(name="小南头社区", code="xiaonantou", kind="community", parent=root, depth=1,
                                   path="/pingcheng/xiaonantou/")  # fmt: skip
        Contributor = old.get_model("articles", "Contributor")
        reporter = Contributor.objects.create(name="宋芳", kind="staff")
        correspondent = Contributor.objects.create(name="马向英", kind="correspondent", unit=unit)
        photographer = Contributor.objects.create(name="曹飞", kind="photographer")
        Photo = old.get_model("articles", "Photo")
        photo = Photo.objects.create(caption="网格员巡查", master="2025/07/x.jpg", width=64, height=48, credit=photographer,
                                     renditions={"480": {"jpeg": "photos/x.480.jpg"}})  # fmt: skip
        Article = old.get_model("articles", "Article")
        article = Article.objects.create(headline="平城区网格员筑牢防汛安全堤")
        old.get_model("articles", "Credit").objects.create(article=article, contributor=reporter, role="记者", order=0)
        old.get_model("articles", "Credit").objects.create(article=article, contributor=correspondent, role="通讯员",
                                                           order=1)  # fmt: skip
        old.get_model("articles", "ArticlePhoto").objects.create(article=article, photo=photo)
        ContentType = old.get_model("contenttypes", "ContentType")
        photo_type, _created = ContentType.objects.get_or_create(app_label="articles", model="photo")
        User = old.get_model("auth", "User")
        editor = User.objects.create(username="history-editor")
        old.get_model("admin", "LogEntry").objects.create(
            user=editor, content_type=photo_type, object_id=str(photo.pk), object_repr="网格员巡查", action_flag=2,
            change_message="改了说明",
        )  # fmt: skip
    finally:
        MigrationExecutor(connection).migrate(leaves)

    from articles.models import Article as NewArticle
    from pingcheng.directory.models import Contributor as NewContributor
    from pingcheng.photos.models import Photo as NewPhoto

    assert NewContributor._meta.db_table == "directory_contributor"
    assert NewPhoto._meta.db_table == "photos_photo"
    moved = NewArticle.objects.get(pk=article.pk)
    assert [(c.role, c.contributor.name) for c in moved.credits.order_by("order")] == [("记者", "宋芳"), ("通讯员", "马向英")]
    assert moved.credits.get(role="通讯员").contributor.unit.code == "xiaonantou"
    figure_photo = moved.figures.get().photo
    assert (figure_photo.caption, figure_photo.credit_line, figure_photo.pk) == ("网格员巡查", "曹飞摄", photo.pk)
    # The admin's history of the photo is still the photo's, under its new app label.
    from django.contrib.admin.models import LogEntry

    entry = LogEntry.objects.get(object_id=str(photo.pk), change_message="改了说明")
    assert (entry.content_type.app_label, entry.content_type.model) == ("photos", "photo")
    assert entry.get_edited_object().caption == "网格员巡查"
    # New rows get fresh ids after the rename (the id sequence moved with the table).
    assert NewContributor.objects.create(name="新作者").pk > photographer.pk
    assert NewPhoto.objects.create(master="2025/07/y.jpg", width=64, height=48).pk > photo.pk
