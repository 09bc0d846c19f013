"""Rows read into model instances without ``Model.__init__``, for the models public pages read by the dozen.

Django builds each instance read from the database through ``Model.from_db`` → ``Model.__init__``: for a
query with deferred columns it first matches every concrete field against the loaded ones (a list scan per
field), then sets each value through its descriptor and sends ``pre_init``/``post_init``. The front page reads
sixty articles of forty columns with eleven of them loaded: that was a sixth of its time.

``from_db_direct`` puts the loaded values straight into the instance's ``__dict__`` under their attribute
names (which is where ``Model.__init__`` leaves them), so a column that was not read is deferred exactly as
before: reading it loads it (``refresh_from_db``), ``get_deferred_fields()`` names it, and a ``save()`` writes
only what was loaded. A model with ``pre_init`` or ``post_init`` receivers (an ``ImageField`` adds one) is
loaded the usual way, so that they still run.

Use: ``from_db = from_db_direct`` in the model's body.
"""

from django.db.models.base import Model, ModelState
from django.db.models.signals import post_init, pre_init


def _from_db_direct(cls, db, field_names, values):
    # field_names are the attribute names of the selected columns, in the order of values (ModelIterable,
    # RelatedPopulator and RawQuerySet all pass them so).
    if pre_init.has_listeners(cls) or post_init.has_listeners(cls):
        return Model.from_db.__func__(cls, db, field_names, values)
    new = cls.__new__(cls)
    state = new._state = ModelState()
    state.adding = False
    state.db = db
    new.__dict__.update(zip(field_names, values, strict=True))
    return new


from_db_direct = classmethod(_from_db_direct)
