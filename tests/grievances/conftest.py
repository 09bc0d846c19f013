from tests.grievances.desk_world import desk_world  # noqa: F401 — the desk's fixture, for every grievances test
