import pytest
from django.test import override_settings

from pingcheng.cache_backends import redis_cache_config

DEAD_REDIS = "redis://127.0.0.1:1/0"


@pytest.mark.django_db
def test_healthz_is_ok_when_database_cache_and_broker_answer(client):
    response = client.get("/healthz")
    assert response.status_code == 200, response.content
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "cache": "ok", "broker": "ok"}}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_names_a_stopped_redis_broker(client):
    with override_settings(CELERY_BROKER_URL=DEAD_REDIS, CELERY_BROKER_TRANSPORT_OPTIONS={}):
        response = client.get("/healthz")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["database"] == "ok"
    assert checks["broker"].startswith("error:")


@pytest.mark.django_db
def test_healthz_names_a_stopped_redis_cache_that_the_site_itself_fails_open_on(client):
    # The production cache configuration at a port where nothing listens (tests/test_redis_outage.py
    # stops a real server): the cache swallows the outage, /healthz must not.
    with override_settings(CACHES={"default": redis_cache_config(DEAD_REDIS)}):
        response = client.get("/healthz")
        assert client.get("/robots.txt").status_code == 200
    assert response.status_code == 503
    assert response.json()["checks"]["cache"].startswith("error: ConnectionError"), response.json()
