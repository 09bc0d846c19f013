"""Contributor moves from the newsroom to the directory: every product credits people.

State only: the table stays where it is (``articles_contributor``) until 0003 renames it, after the
newsroom's 0004 has re-pointed its foreign keys, so no row is copied.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('directory', '0001_initial'),
        ('articles', '0003_search_index'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.CreateModel(
            name='Contributor',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=40, verbose_name='姓名')),
                ('kind', models.CharField(choices=[('staff', '本报记者'), ('correspondent', '通讯员'), ('photographer', '摄影记者'), ('editor', '编辑'), ('outside', '特约/外来作者')], default='staff', max_length=16, verbose_name='身份')),
                ('bio', models.CharField(blank=True, max_length=200, verbose_name='简介')),
                ('is_active', models.BooleanField(default=True, verbose_name='在职')),
                ('unit', models.ForeignKey(blank=True, help_text='通讯员所在的街道、社区或部门。', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='contributors', to='directory.unit', verbose_name='所在单位')),
                ('user', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='contributor', to=settings.AUTH_USER_MODEL, verbose_name='登录账号')),
            ],
            options={
                'verbose_name': '作者',
                'verbose_name_plural': '作者',
                'ordering': ['name'],
                'db_table': 'articles_contributor',
                'constraints': [models.UniqueConstraint(fields=('name', 'unit'), name='contributor_unique_name_in_unit'), models.UniqueConstraint(condition=models.Q(('unit__isnull', True)), fields=('name',), name='contributor_unique_name_without_unit')],
            },
        )]),
    ]
