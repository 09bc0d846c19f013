# The production recipe, deploy/gunicorn.conf.py, as it stands (workers, worker class, threads, timeouts, access
# log), less its post_worker_init hook: that hook warms our Chinese segmenter from our directory's units, which
# the bare project has neither of.
from pathlib import Path

_RECIPE = Path(__file__).resolve().parents[2] / "deploy" / "gunicorn.conf.py"
exec(compile(_RECIPE.read_text(encoding="utf-8"), str(_RECIPE), "exec"))
del post_worker_init  # noqa: F821 — defined by the recipe above
