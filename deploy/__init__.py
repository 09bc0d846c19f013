"""Production recipes (nginx, gunicorn, Celery) and the loopback copy of the nginx recipe for tests and the bench."""
