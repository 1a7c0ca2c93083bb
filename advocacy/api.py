"""Public read-only JSON API (Wagtail API v2) at /api/v2/.

Positions: /api/v2/pages/?type=advocacy.PositionPage&fields=summary,policy_status,topics,...
"""

from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.documents.api.v2.views import DocumentsAPIViewSet

from advocacy.models import ConsultationResponsePage, PositionPage


class PublicationPagesAPIViewSet(PagesAPIViewSet):
    def get_queryset(self):
        queryset = super().get_queryset()
        if queryset.model is PositionPage:
            # Topics and jurisdictions are listed per item; fetch them in two queries.
            queryset = queryset.prefetch_related("topics", "jurisdictions")
        elif queryset.model is ConsultationResponsePage:
            queryset = queryset.prefetch_related("topics", "jurisdictions", "relies_on")
        return queryset


api_router = WagtailAPIRouter("wagtailapi")
api_router.register_endpoint("pages", PublicationPagesAPIViewSet)
api_router.register_endpoint("documents", DocumentsAPIViewSet)
