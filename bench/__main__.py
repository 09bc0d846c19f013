"""Run every benchmark: `make bench` (or `python -m bench`). Prints figures; asserts nothing.

Each benchmark runs against a throwaway test database created for the run (SQLite by default,
PostgreSQL when DATABASE_URL says so), so it never touches real data.
"""

import importlib
import os
import sys

BENCHMARKS = ["bench.news_pages", "bench.photos", "bench.publication", "bench.search_bench"]


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        for name in sys.argv[1:] or BENCHMARKS:
            module = importlib.import_module(name)
            print(f"\n## {name} ({connection.vendor})")
            module.run()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
