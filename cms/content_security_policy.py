"""The Content-Security-Policy header (django-csp) on every response.

The public site gets CONTENT_SECURITY_POLICY as it stands: scripts and styles only from our
own files, no inline code. The admin's own templates carry inline <script> elements (the
InlinePanel and the date pickers of Wagtail, Django's admin) and inline styles, which no
nonce reaches, so under ADMIN_CSP_PATHS the directives of ADMIN_CSP_UPDATE are added. Only
signed-in staff see those pages, and every other directive still applies there.
"""

from csp.middleware import CSPMiddleware as BaseCSPMiddleware
from django.conf import settings


class CSPMiddleware(BaseCSPMiddleware):
    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if request.path_info.startswith(tuple(settings.ADMIN_CSP_PATHS)):
            update = dict(parts.update or {})
            for directive, sources in settings.ADMIN_CSP_UPDATE.items():
                update[directive] = [*update.get(directive, ()), *sources]
            parts.update = update
        return parts
