# gunicorn -c deploy/gunicorn.conf.py pingcheng.wsgi
import os

bind = f"127.0.0.1:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
threads = 2
timeout = 30
accesslog = "-"
forwarded_allow_ips = "127.0.0.1"
