"""Signals the newsroom sends for decoupled side effects (cache invalidation, feeds, search indexing)."""

from django.dispatch import Signal

# Sent after commit whenever what the public sees of an article changed: published, revised, corrected,
# withdrawn or expired. Argument: article_id.
article_changed = Signal()
