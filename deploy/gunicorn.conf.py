# gunicorn -c deploy/gunicorn.conf.py pingcheng.wsgi  — behind deploy/nginx.conf, never facing readers directly.
import os

# The worker class, named: before, `threads = 2` on the default sync class made gunicorn run gthread without
# saying so. gthread rather than the classic sync workers behind nginx's buffering, because:
# - nginx already buffers slow readers and serves the micro-cached pages; what reaches gunicorn is cache
#   misses, staff and searches, which wait on PostgreSQL and Redis. A waiting thread releases the GIL; a
#   waiting sync worker is a whole process (≈140 MB) doing nothing.
# - gthread keeps nginx's upstream connections open (the sync worker closes each one after a request).
#   Measured through nginx on the demo data, micro-cache bypassed and Django's page cache answering, runs
#   interleaved on a busy 2-core machine: gthread 2 × 4 served 430–1,540 req/s, sync × 5 190–260 req/s.
# - The cost: `timeout` no longer kills a worker stuck in one slow request (gthread's main loop keeps
#   beating); slow queries must be bounded in PostgreSQL (statement_timeout).
worker_class = "gthread"
threads = 4
# At most one idle keep-alive connection per worker beside the busy threads. gthread otherwise accepts up to
# 1,000 connections per worker, and the persistent connections a client opens at once (nginx's upstream pool,
# wrk) all land on whichever worker woke first: measured with 8 connections, one worker at 96 % CPU and the
# other idle, half the machine's throughput (front page uncached 86 against 168 req/s, warm list page 1,570
# against 3,520). Capped, a busy worker stops accepting and the kernel hands the next connection to another.
worker_connections = threads + 1
# One process per core: a process runs Python on one core at a time and its threads cover the waits. Four
# processes on two cores measured no faster than two (290–670 req/s against 430–1,540) and cost ≈140 MB each.
workers = int(os.environ.get("WEB_CONCURRENCY", str(len(os.sched_getaffinity(0)))))
bind = f"127.0.0.1:{os.environ.get('PORT', '8000')}"
timeout = 30
# Longer than nginx's upstream keepalive_timeout (60 s): nginx, not gunicorn, closes an idle connection, so
# nginx never sends a request on a socket gunicorn is closing.
keepalive = 75
accesslog = "-"
# What reached Django (nginx's cache answered the rest) and how long it took; the path without its query
# string, as in nginx's log: readers type search words there. Client and referrer would only say "nginx".
access_log_format = '%(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
# nginx on the same host is the only client. It overwrites X-Forwarded-Proto; that header alone says https,
# so a reader cannot add X-Forwarded-Ssl or X-Forwarded-Protocol to contradict it (gunicorn would answer 400).
forwarded_allow_ips = "127.0.0.1"
secure_scheme_headers = {"X-FORWARDED-PROTO": "https"}
# No gunicornc control socket: systemd signals the master, and the default path ($HOME/.gunicorn/gunicorn.ctl)
# is shared by every gunicorn the same user starts, so a second one (a test run, the bench) would take it over.
control_socket_disable = True


def post_worker_init(worker):
    # Load jieba and the civic dictionary once per worker (after Django is set up in it), before the first
    # reader searches, instead of making that reader wait about a second.
    from pingcheng.chinese import warm_up

    warm_up()
