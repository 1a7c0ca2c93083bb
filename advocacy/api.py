"""Public read-only JSON API (Wagtail API v2) at /api/v2/.

Positions: /api/v2/pages/?type=advocacy.PositionPage&fields=summary,policy_status,topics,...
"""

from django.db import models
from taggit.managers import TaggableManager
from wagtail.api.v2.filters import FieldsFilter
from wagtail.api.v2.pagination import WagtailPagination
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.utils import BadRequestError
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.documents.api.v2.views import DocumentsAPIViewSet

from advocacy.models import ConsultationResponsePage, PositionPage
from cms.validators import is_storable_int


class CheckedFieldsFilter(FieldsFilter):
    """Wagtail's field filter, with numbers and ids checked first: ``?topics=abc`` or an id
    too large for the database is a 400 that says so, not a server error (Wagtail converts
    plain integer fields and foreign keys, not many-to-many ids, and leaves the size to the
    database)."""

    def filter_queryset(self, request, queryset, view):
        fields = set(view.get_available_fields(queryset.model, db_fields_only=True))
        for name, value in request.GET.items():
            if name not in fields:
                continue
            try:
                field = queryset.model._meta.get_field(name)
            except LookupError:
                continue
            numeric = isinstance(field, models.IntegerField | models.AutoField) or (
                field.is_relation and not isinstance(field, TaggableManager)
            )
            if numeric and not is_storable_int(value):
                raise BadRequestError(
                    f"field filter error. '{value}' is not a valid value for {name} "
                    "(a whole number is expected)"
                )
        return super().filter_queryset(request, queryset, view)


class CheckedPagination(WagtailPagination):
    def paginate_queryset(self, queryset, request, view=None):
        for name in ("offset", "limit"):
            value = request.GET.get(name, "0")
            if value.isascii() and value.isdigit() and not is_storable_int(value):
                raise BadRequestError(f"{name} is too large")
        return super().paginate_queryset(queryset, request, view)


class PublicationPagesAPIViewSet(PagesAPIViewSet):
    filter_backends = [
        CheckedFieldsFilter if backend is FieldsFilter else backend
        for backend in PagesAPIViewSet.filter_backends
    ]
    pagination_class = CheckedPagination

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
