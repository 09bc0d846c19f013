import pytest
from django.core.management import call_command
from articles.models import Article

@pytest.mark.django_db
def test_explore():
    call_command("load_demo")
    for a in Article.objects.all():
        print(a.pk, a.status, a.publish_at, a.updated_at, a.section, a.headline, [ (u.name,u.code,u.path, u.kind) for u in a.units.all()], a.figures.count(), repr(a.lead[:40]))
    from pingcheng.directory.models import Unit
    print([(u.code,u.path) for u in Unit.objects.filter(kind__in=["street","community"])])
