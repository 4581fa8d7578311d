from django.http import HttpRequest, HttpResponse


def app_home(request: HttpRequest) -> HttpResponse:
    return HttpResponse("<!doctype html><title>After-sales</title><h1>After-sales</h1>")


def index(request: HttpRequest) -> HttpResponse:
    return HttpResponse(
        "<!doctype html><title>saleor-aftersales</title><p>Install this app in Saleor with the manifest at "
        "<code>/api/manifest</code>.</p>"
    )


def privacy(request: HttpRequest) -> HttpResponse:
    return HttpResponse("<!doctype html><title>Privacy</title><p>Personal data is encrypted at rest.</p>")
