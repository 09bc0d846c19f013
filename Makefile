# The two commands a newcomer needs: `make run` and `make test`. Only Python >= 3.11 is required.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
PORT ?= 8000
export PORT

.PHONY: run test venv lint bench bench-smoke bench-site bench-alerts clean

$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $(STAMP)

venv: $(STAMP)

## make run: install, migrate, load the demo page, start web + Celery worker/beat (embedded defaults)
run: venv
	@export DEBUG=$${DEBUG:-true}; \
	$(PY) manage.py migrate --noinput -v0 && \
	$(PY) manage.py load_demo --accounts && \
	exec $(PY) manage.py run_embedded --port $(PORT)

## make test: the whole suite in TEST_WORKERS processes (pytest-xdist, a test file per worker at a time);
## honours DATABASE_URL and REDIS_URL. TEST_WORKERS=0 runs it in one process.
TEST_WORKERS ?= 2
test: venv
	$(PY) -m pytest --create-db $(if $(filter 0,$(TEST_WORKERS)),,-n $(TEST_WORKERS) --dist loadfile) $(PYTEST_ARGS)

lint: venv
	$(VENV)/bin/ruff check .

bench: venv
	$(PY) -m bench

## make bench-smoke: the site bench end to end on a throwaway database at 300 articles, 1 s a cell (CI runs it)
bench-smoke: venv
	$(PY) -m bench.smoke

## make bench-site: build (or keep) a BENCH_ARTICLES corpus in DATABASE_URL's bench database, then measure the
## site beside bare Django and nginx (BENCH_DURATION seconds a cell; BENCH_CORPUS_ARGS=--fresh rebuilds)
BENCH_ARTICLES ?= 100000
BENCH_DURATION ?= 10
BENCH_CORPUS_ARGS ?=
bench-site: venv
	$(PY) -m bench.corpus --articles $(BENCH_ARTICLES) $(BENCH_CORPUS_ARGS)
	$(PY) -m bench.site --duration $(BENCH_DURATION)

## make bench-alerts: a warning to BENCH_ALERTS_RECIPIENTS grid workers fanned out and delivered to the file SMS
## backend by 2 worker processes on a throwaway database (DATABASE_URL's server) and a private redis-server
BENCH_ALERTS_RECIPIENTS ?= 10000
bench-alerts: venv
	$(PY) -m bench.alerts_fanout --recipients $(BENCH_ALERTS_RECIPIENTS)

clean:
	rm -rf var media staticfiles .pytest_cache
