"""Public read-only JSON API (Wagtail API v2) at /api/v2/.

Positions: /api/v2/pages/?type=advocacy.PositionPage&fields=summary,policy_status,topics,...

Whatever the query string holds, the answer is JSON: a value the database could not take
(a date that is not a date, an id too large for it, a NUL byte) is a 400 that says which
parameter is wrong, in Wagtail's own {"message": ...} form, never a server error.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import connections, models
from django.http import Http404
from taggit.managers import TaggableManager
from wagtail import hooks
from wagtail.api.v2.filters import FieldsFilter, SearchFilter
from wagtail.api.v2.pagination import WagtailPagination
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.utils import BadRequestError
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.documents.api.v2.views import DocumentsAPIViewSet

from advocacy.models import ConsultationResponsePage, PositionPage
from cms.validators import LARGEST_ID, is_storable_int, refuse_control_characters, storable_id

# The furthest any time zone is from UTC (Kiribati's +14:00).
LARGEST_UTC_OFFSET = datetime.timedelta(hours=14)


class CheckedFieldsFilter(FieldsFilter):
    """Wagtail's field filter, with each value checked first as the field would store it:
    ``?adopted_on=0``, ``?topics=abc`` or an id too large for the database is a 400 that
    says so, not a server error. (Wagtail converts booleans, plain integer fields and
    foreign keys, but not dates, times or many-to-many ids, and leaves sizes to the
    database.)"""

    def filter_queryset(self, request, queryset, view):
        fields = set(view.get_available_fields(queryset.model, db_fields_only=True))
        fields.discard("locale")  # Not a field filter: LocaleFilter takes a language code.
        for name, value in request.GET.items():
            if name not in fields:
                continue
            try:
                field = queryset.model._meta.get_field(name)
            except LookupError:
                continue
            problem = filter_value_problem(field, value, connections[queryset.db])
            if problem:
                raise BadRequestError(
                    f"field filter error. '{value}' is not a valid value for {name} ({problem})"
                )
        return super().filter_queryset(request, queryset, view)


def filter_value_problem(field, value, connection):
    """What is wrong with ``value`` (text) as a value to compare ``field`` with in the
    database, or None when nothing is."""
    if isinstance(field, TaggableManager | models.BooleanField):
        return None  # Tag names are text; Wagtail parses booleans itself.
    if isinstance(field, models.IntegerField | models.AutoField) or field.is_relation:
        return None if is_storable_int(value) else "a whole number is expected"
    try:
        # As the filter will send it: a date must be one, and a time must still be one
        # once moved to UTC (9999-12-31T23:00-02:00 is not, on any database).
        value = field.get_prep_value(value)
        offset = value.utcoffset() if isinstance(value, datetime.datetime) else None
        if offset is not None:
            value.astimezone(datetime.UTC)
        field.get_db_prep_value(value, connection, prepared=True)
    except ValidationError as e:
        return " ".join(e.messages)
    except (ValueError, TypeError, OverflowError):
        return f"not a {field.description.lower()}"
    if offset is not None and abs(offset) > LARGEST_UTC_OFFSET:
        # Python allows up to 24 hours, PostgreSQL refuses more than 16.
        return "no time zone is more than 14 hours from UTC"
    return None


class CheckedSearchFilter(SearchFilter):
    """Wagtail's search, with the operator checked before the search backend refuses it."""

    def filter_queryset(self, request, queryset, view):
        operator = request.GET.get("search_operator", "")
        if "search" in request.GET and operator.lower() not in ("", "and", "or"):
            raise BadRequestError("search_operator must be 'and' or 'or'")
        return super().filter_queryset(request, queryset, view)


class CheckedPagination(WagtailPagination):
    """Wagtail's pagination, with an offset or limit too large for the database refused."""

    def paginate_queryset(self, queryset, request, view=None):
        for name in ("offset", "limit"):
            try:
                number = int(request.GET.get(name, "0"))
            except ValueError:
                continue  # Wagtail says what it expects.
            if abs(number) > LARGEST_ID:
                raise BadRequestError(f"{name} is too large")
        return super().paginate_queryset(queryset, request, view)


def checked(backends):
    replacements = {FieldsFilter: CheckedFieldsFilter, SearchFilter: CheckedSearchFilter}
    return [replacements.get(backend, backend) for backend in backends]


class CheckedInputMixin:
    """Checks that every endpoint makes before any work: no control characters in the query
    string (PostgreSQL refuses a NUL byte in text), and ids the database can store."""

    pagination_class = CheckedPagination

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        for name, values in request.GET.lists():
            for text in [name, *values]:
                try:
                    refuse_control_characters(text)
                except ValidationError as e:
                    raise BadRequestError(
                        f"query parameter {name!r} contains control characters"
                    ) from e

    def get_object(self):
        # The detail URL takes any run of digits; with ?type= the id is a page_ptr, whose
        # lookup (unlike a plain id's) sends an id too large for SQLite to the database.
        if storable_id(self.kwargs[self.lookup_field]) is None:
            raise Http404("not found")
        return super().get_object()

    def find_object(self, queryset, request):
        if "id" in request.GET and storable_id(request.GET["id"]) is None:
            raise BadRequestError("id must be a positive integer")
        return super().find_object(queryset, request)


class PublicationPagesAPIViewSet(CheckedInputMixin, PagesAPIViewSet):
    filter_backends = checked(PagesAPIViewSet.filter_backends)

    def get_queryset(self):
        queryset = super().get_queryset()
        if queryset.model is PositionPage:
            # Topics and jurisdictions are listed per item; fetch them in two queries.
            queryset = queryset.prefetch_related("topics", "jurisdictions")
        elif queryset.model is ConsultationResponsePage:
            queryset = queryset.prefetch_related("topics", "jurisdictions", "relies_on")
        return queryset


class PublicDocumentsAPIViewSet(CheckedInputMixin, DocumentsAPIViewSet):
    filter_backends = checked(DocumentsAPIViewSet.filter_backends)

    def get_queryset(self):
        """Public documents only: each ``advocacy_public_documents`` hook may narrow the list
        (liaison leaves out meeting papers; advocacy never imports it)."""
        queryset = super().get_queryset()
        for narrow in hooks.get_hooks("advocacy_public_documents"):
            queryset = narrow(queryset)
        return queryset


api_router = WagtailAPIRouter("wagtailapi")
api_router.register_endpoint("pages", PublicationPagesAPIViewSet)
api_router.register_endpoint("documents", PublicDocumentsAPIViewSet)
