"""Signals of the photo library, for the products that show photos.

``photo_changed`` is sent inside the transaction of ``photo_update`` (arguments ``photo`` with its new values,
``by``, ``fields`` and ``previous``: the changed fields' old values),
so a receiver that records something (an article's log entry) commits or rolls back with the change itself.
"""

from django.dispatch import Signal

photo_changed = Signal()
