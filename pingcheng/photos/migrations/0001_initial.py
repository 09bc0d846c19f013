"""Photo moves from the newsroom to the platform: campaign activities and inquiries carry photos too.

State only, like directory 0002: the table is renamed in 0002 once the newsroom's foreign keys point here.
"""

import django.db.models.deletion
import pingcheng.photos.models
import pingcheng.photos.storage
import uuid
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('directory', '0002_contributor'),
        ('articles', '0003_search_index'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.CreateModel(
            name='Photo',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('uuid', models.UUIDField(default=uuid.uuid4, editable=False, unique=True, verbose_name='编号')),
                ('master', models.ImageField(editable=False, height_field='height', storage=pingcheng.photos.storage.photo_master_storage, upload_to=pingcheng.photos.models.photo_master_path, verbose_name='原图（重新编码）', width_field='width')),
                ('width', models.PositiveIntegerField(default=0, editable=False, verbose_name='宽')),
                ('height', models.PositiveIntegerField(default=0, editable=False, verbose_name='高')),
                ('caption', models.CharField(blank=True, max_length=300, verbose_name='图片说明')),
                ('alt_text', models.CharField(blank=True, help_text='供读屏软件朗读，描述画面内容；留空时使用图片说明。', max_length=200, verbose_name='替代文字')),
                ('taken_on', models.DateField(blank=True, null=True, verbose_name='拍摄日期')),
                ('renditions', models.JSONField(default=dict, editable=False, verbose_name='尺寸版本')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='上传时间')),
                ('credit', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='photos', to='directory.contributor', verbose_name='摄影')),
                ('uploaded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='上传人')),
            ],
            options={
                'verbose_name': '图片',
                'verbose_name_plural': '图片',
                'ordering': ['-created_at'],
                'db_table': 'articles_photo',
            },
        )]),
    ]
