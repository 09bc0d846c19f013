# gunicorn -c deploy/gunicorn.conf.py pingcheng.wsgi
import os

bind = f"127.0.0.1:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
threads = 2
timeout = 30
accesslog = "-"
forwarded_allow_ips = "127.0.0.1"


def post_worker_init(worker):
    # Load jieba and the civic dictionary once per worker (after Django is set up in it), before the first
    # reader searches, instead of making that reader wait about a second.
    from pingcheng.chinese import warm_up

    warm_up()
