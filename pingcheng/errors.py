"""The platform's one domain exception, which views and the admin turn into a clear message.

A service refuses an action by raising ``DomainError`` (or an app's subclass) with a translatable Chinese
message and a ``code``; callers never see a 500 for a rule the user broke. It is a ``ValidationError`` so
that forms and ``full_clean()`` treat it the same way.
"""

from django.core.exceptions import ValidationError


class DomainError(ValidationError):
    """A write refused by a rule of the domain (wrong state, wrong role, missing note …); the message says why."""

    @property
    def text(self) -> str:
        """All messages as one sentence, for ``messages.error`` or a JSON body."""
        return " ".join(str(message) for message in self.messages)
