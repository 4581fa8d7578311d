from django.urls import path

from . import views

urlpatterns = [
    path("", views.index, name="index"),
    path("privacy", views.privacy, name="privacy"),
    path("dashboard/", views.app_home, name="dashboard-home"),
    path("dashboard/returns", views.returns_page, name="dashboard-returns"),
    path("dashboard/widgets/order", views.order_widget, name="dashboard-order-widget"),
    path("dashboard/widgets/customer", views.customer_widget, name="dashboard-customer-widget"),
    path("dashboard/widgets/home", views.home_widget, name="dashboard-home-widget"),
    path("dashboard/frag/returns", views.returns_fragment, name="dashboard-frag-returns"),
    path(
        "dashboard/frag/returns/bulk-approve", views.returns_bulk_approve_fragment, name="dashboard-frag-bulk"
    ),
    path("dashboard/frag/returns/<int:pk>", views.return_detail_fragment, name="dashboard-frag-return"),
    path(
        "dashboard/frag/returns/<int:pk>/approve",
        views.return_approve_fragment,
        name="dashboard-frag-approve",
    ),
    path("dashboard/frag/widgets/order", views.order_widget_fragment, name="dashboard-frag-order-widget"),
    path(
        "dashboard/frag/widgets/customer",
        views.customer_widget_fragment,
        name="dashboard-frag-customer-widget",
    ),
    path("dashboard/frag/widgets/home", views.home_widget_fragment, name="dashboard-frag-home-widget"),
]
