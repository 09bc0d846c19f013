import pytest
from django.test import override_settings

from pingcheng.cache_backends import redis_cache_config
from tests.factories import UserFactory

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


# --- what the public sees ---------------------------------------------------------------------------------

PUBLIC_ADDRESS = "203.0.113.7"


def public_get(client, **extra):
    return client.get("/healthz", REMOTE_ADDR=PUBLIC_ADDRESS, **extra)


@pytest.mark.django_db
def test_healthz_tells_the_public_only_ok_per_check(client):
    response = public_get(client)

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": True, "cache": True, "broker": True}}


@pytest.mark.django_db
def test_healthz_tells_the_public_which_check_failed_but_not_the_host_or_the_error(client):
    with override_settings(CELERY_BROKER_URL=DEAD_REDIS, CELERY_BROKER_TRANSPORT_OPTIONS={}):
        response = public_get(client)

    assert response.status_code == 503
    assert response.json() == {"status": "error", "checks": {"database": True, "cache": True, "broker": False}}
    assert b"127.0.0.1" not in response.content and b"Error" not in response.content


@pytest.mark.django_db
def test_healthz_relayed_by_the_local_reverse_proxy_is_public(client):
    # nginx connects from 127.0.0.1 and always adds X-Forwarded-For: the request is someone else's.
    with override_settings(CELERY_BROKER_URL=DEAD_REDIS, CELERY_BROKER_TRANSPORT_OPTIONS={}):
        response = client.get("/healthz", REMOTE_ADDR="127.0.0.1", headers={"x-forwarded-for": PUBLIC_ADDRESS})

    assert response.status_code == 503
    assert response.json()["checks"]["broker"] is False


@pytest.mark.django_db
@pytest.mark.parametrize("address", ["127.0.0.1", "::1"])
def test_healthz_gives_a_probe_on_the_host_the_reasons(client, address):
    with override_settings(CELERY_BROKER_URL=DEAD_REDIS, CELERY_BROKER_TRANSPORT_OPTIONS={}):
        response = client.get("/healthz", REMOTE_ADDR=address)

    assert response.status_code == 503
    assert response.json()["checks"]["broker"].startswith("error:")


@pytest.mark.django_db
def test_healthz_gives_staff_the_reasons_from_anywhere(client):
    user = UserFactory(is_staff=True)
    user.refresh_from_db()
    client.force_login(user)

    with override_settings(CELERY_BROKER_URL=DEAD_REDIS, CELERY_BROKER_TRANSPORT_OPTIONS={}):
        response = public_get(client)

    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "ok"
    assert response.json()["checks"]["broker"].startswith("error:")


@pytest.mark.django_db
def test_healthz_gives_a_signed_in_resident_without_staff_status_no_reasons(client):
    user = UserFactory(is_staff=False)
    user.refresh_from_db()
    client.force_login(user)

    response = public_get(client)

    assert response.json()["checks"] == {"database": True, "cache": True, "broker": True}
