"""The Python ceiling for bench/site.py: a bare Django project answering each measured page with the bytes our
site returned for it, read into memory once at start, through the same gunicorn recipe."""
