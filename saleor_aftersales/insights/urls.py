"""URLs of insights (the lead includes them: `path("insights/", include("saleor_aftersales.insights.urls"))`)."""

from django.urls import path

from . import views

app_name = "insights"
urlpatterns = [path("export.csv", views.export_csv, name="export_csv")]
