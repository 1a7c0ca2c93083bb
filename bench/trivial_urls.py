"""URLconf for bench/bench_position_index.py: the site's own URLs, plus a trivial view that
goes through the same middleware, so the benchmark can subtract the cost of the stack."""

from django.http import HttpResponse
from django.urls import include, path

TRIVIAL_PATH = "/bench/trivial/"


def trivial(request):
    return HttpResponse("ok")


urlpatterns = [
    path(TRIVIAL_PATH.strip("/") + "/", trivial),
    path("", include("cms.urls")),
]
