from django.contrib import admin
from django.urls import include, path, re_path

from .core import views as core_views
from .graphql.core.views import AftersalesGraphQLView
from .installations import views as installation_views
from .surveys import views as survey_views
from .webhooks import views as webhook_views

urlpatterns = [
    path("api/manifest", installation_views.manifest, name="manifest"),
    path("api/register", installation_views.register, name="register"),
    re_path(r"^api/webhooks/(?P<event>[a-z_]+)$", webhook_views.receive_webhook, name="webhook"),
    path("graphql/", AftersalesGraphQLView.as_view(), name="graphql"),
    path("s/<str:token>", survey_views.answer, name="survey-answer"),
    path("healthz", core_views.healthz, name="healthz"),
    path("metrics", core_views.metrics, name="metrics"),
    path("admin/", admin.site.urls),
    path("", include("saleor_aftersales.dashboard.urls")),
]
