"""``AuditActorMiddleware``: django-auditlog's middleware, left out of readers' page views."""

from auditlog.middleware import AuditlogMiddleware

# What a reader's visit can be: reading pages. None of them writes an audited row; if one ever did, its entry would
# name no actor either way (a reader is anonymous) and only lack the reader's address.
_READING = frozenset({"GET", "HEAD"})


class AuditActorMiddleware(AuditlogMiddleware):
    """Names the logged-in user, and the request's address, on the audit entries a request writes.

    auditlog connects and disconnects a signal receiver around every request it sees, which cost an uncached
    article page 5 % of its time. Anonymous GET and HEAD requests skip it; every write a member of staff makes,
    and every form a resident posts, keeps it.
    """

    def __call__(self, request):
        if request.method in _READING and not request.user.is_authenticated:
            return self.get_response(request)
        return super().__call__(request)
