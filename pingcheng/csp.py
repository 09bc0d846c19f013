from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings


class SiteCSPMiddleware(CSPMiddleware):
    """The site-wide policy, relaxed only under the back-office prefixes where CKEditor runs."""

    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only and request.path_info.startswith(settings.CSP_BACK_OFFICE_PREFIXES):
            update = dict(parts.update or {})
            for directive, sources in settings.CSP_BACK_OFFICE_UPDATE.items():
                update[directive] = [*update.get(directive, []), *sources]
            parts.update = update
        return parts
