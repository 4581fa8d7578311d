from django.urls import path

from .views import (
    care_settings,
    common,
    history_settings,
    insights,
    knowledge_settings,
    loyalty,
    loyalty_settings,
    operations_settings,
    popups,
    returns,
    service,
    settings,
    warranty,
    widgets,
)

urlpatterns = [
    path("", common.index, name="index"),
    path("privacy", common.privacy, name="privacy"),
    # Shells (no data; the Dashboard frames them).
    path("dashboard/", returns.returns_page, name="dashboard-home"),
    path("dashboard/returns", returns.returns_page, name="dashboard-returns"),
    path("dashboard/warranty", warranty.warranty_page, name="dashboard-warranty"),
    path("dashboard/loyalty", loyalty.loyalty_page, name="dashboard-loyalty"),
    path("dashboard/service", service.service_page, name="dashboard-service"),
    path("dashboard/insights", insights.insights_page, name="dashboard-insights"),
    path("dashboard/settings", settings.settings_page, name="dashboard-settings"),
    path("dashboard/widgets/order", widgets.order_widget, name="dashboard-order-widget"),
    path("dashboard/widgets/customer", widgets.customer_widget, name="dashboard-customer-widget"),
    path("dashboard/widgets/home", widgets.home_widget, name="dashboard-home-widget"),
    path("dashboard/popups/order", returns.order_actions_popup, name="dashboard-order-actions"),
    path("dashboard/popups/customer", loyalty.customer_actions_popup, name="dashboard-customer-actions"),
    # Fragments (Dashboard JWT on every call).
    path("dashboard/frag/returns", returns.returns_fragment, name="dashboard-frag-returns"),
    path(
        "dashboard/frag/returns/bulk-approve",
        returns.returns_bulk_approve_fragment,
        name="dashboard-frag-bulk",
    ),
    path(
        "dashboard/frag/returns/bulk-receive",
        returns.returns_bulk_receive_fragment,
        name="dashboard-frag-bulk-receive",
    ),
    path("dashboard/frag/returns/<int:pk>", returns.return_detail_fragment, name="dashboard-frag-return"),
    path(
        "dashboard/frag/returns/<int:pk>/approve",
        returns.return_approve_fragment,
        name="dashboard-frag-approve",
    ),
    path(
        "dashboard/frag/returns/<int:pk>/reject", returns.return_reject_fragment, name="dashboard-frag-reject"
    ),
    path(
        "dashboard/frag/returns/<int:pk>/receive",
        returns.return_receive_fragment,
        name="dashboard-frag-receive",
    ),
    path(
        "dashboard/frag/returns/<int:pk>/inspect",
        returns.return_inspect_fragment,
        name="dashboard-frag-inspect",
    ),
    path(
        "dashboard/frag/returns/<int:pk>/resolve",
        returns.return_resolve_fragment,
        name="dashboard-frag-resolve",
    ),
    path("dashboard/frag/returns/<int:pk>/retry", returns.return_retry_fragment, name="dashboard-frag-retry"),
    path("dashboard/frag/popups/order", returns.order_actions_fragment, name="dashboard-frag-order-actions"),
    path("dashboard/frag/popups/case", popups.case_open_fragment, name="dashboard-frag-case-open"),
    path("dashboard/frag/popups/order/claim", popups.order_claim_fragment, name="dashboard-frag-order-claim"),
    path("dashboard/frag/service", service.service_fragment, name="dashboard-frag-service"),
    path(
        "dashboard/frag/service/<int:pk>", service.service_case_fragment, name="dashboard-frag-service-case"
    ),
    path(
        "dashboard/frag/service/<int:pk>/reply",
        service.service_reply_fragment,
        name="dashboard-frag-service-reply",
    ),
    path(
        "dashboard/frag/service/<int:pk>/transition",
        service.service_transition_fragment,
        name="dashboard-frag-service-transition",
    ),
    path("dashboard/frag/warranty", warranty.warranty_fragment, name="dashboard-frag-warranty"),
    path(
        "dashboard/frag/warranty/claims/<int:pk>",
        warranty.claim_detail_fragment,
        name="dashboard-frag-warranty-claim",
    ),
    path(
        "dashboard/frag/warranty/claims/<int:pk>/decide",
        warranty.claim_decide_fragment,
        name="dashboard-frag-warranty-decide",
    ),
    path(
        "dashboard/frag/warranty/repairs/<int:pk>",
        warranty.repair_detail_fragment,
        name="dashboard-frag-repair",
    ),
    path(
        "dashboard/frag/warranty/repairs/<int:pk>/lines",
        warranty.repair_line_add_fragment,
        name="dashboard-frag-repair-line-add",
    ),
    path(
        "dashboard/frag/warranty/repairs/<int:pk>/lines/<int:line_pk>/remove",
        warranty.repair_line_remove_fragment,
        name="dashboard-frag-repair-line-remove",
    ),
    path(
        "dashboard/frag/warranty/repairs/<int:pk>/quote",
        warranty.repair_quote_fragment,
        name="dashboard-frag-repair-quote",
    ),
    path(
        "dashboard/frag/warranty/repairs/<int:pk>/tracking",
        warranty.repair_tracking_fragment,
        name="dashboard-frag-repair-tracking",
    ),
    path(
        "dashboard/frag/warranty/repairs/<int:pk>/assign",
        warranty.repair_assign_fragment,
        name="dashboard-frag-repair-assign",
    ),
    path(
        "dashboard/frag/warranty/repairs/<int:pk>/transition",
        warranty.repair_transition_fragment,
        name="dashboard-frag-repair-transition",
    ),
    path("dashboard/frag/loyalty", loyalty.loyalty_fragment, name="dashboard-frag-loyalty"),
    path(
        "dashboard/frag/loyalty/adjust", loyalty.loyalty_adjust_fragment, name="dashboard-frag-loyalty-adjust"
    ),
    path(
        "dashboard/frag/popups/customer",
        loyalty.customer_actions_fragment,
        name="dashboard-frag-customer-actions",
    ),
    path("dashboard/frag/insights", insights.insights_fragment, name="dashboard-frag-insights"),
    path(
        "dashboard/frag/insights/alerts/<int:pk>/acknowledge",
        insights.alert_acknowledge_fragment,
        name="dashboard-frag-alert-ack",
    ),
    path("dashboard/frag/settings", settings.settings_fragment, name="dashboard-frag-settings"),
    path("dashboard/frag/settings/policy", settings.policy_save_fragment, name="dashboard-frag-policy"),
    path("dashboard/frag/settings/reasons", settings.reason_save_fragment, name="dashboard-frag-reason"),
    path(
        "dashboard/frag/settings/loyalty",
        loyalty_settings.programme_fragment,
        name="dashboard-frag-loyalty-settings",
    ),
    path(
        "dashboard/frag/settings/loyalty/programme",
        loyalty_settings.programme_save_fragment,
        name="dashboard-frag-programme",
    ),
    path(
        "dashboard/frag/settings/loyalty/rules",
        loyalty_settings.earn_rule_save_fragment,
        name="dashboard-frag-earn-rule",
    ),
    path(
        "dashboard/frag/settings/loyalty/tiers",
        loyalty_settings.tier_save_fragment,
        name="dashboard-frag-tier",
    ),
    path("dashboard/frag/settings/rewards", loyalty_settings.rewards_fragment, name="dashboard-frag-rewards"),
    path(
        "dashboard/frag/settings/rewards/save",
        loyalty_settings.reward_save_fragment,
        name="dashboard-frag-reward-save",
    ),
    path(
        "dashboard/frag/settings/rewards/<int:pk>/active",
        loyalty_settings.reward_toggle_fragment,
        name="dashboard-frag-reward-active",
    ),
    path(
        "dashboard/frag/settings/knowledge",
        knowledge_settings.knowledge_fragment,
        name="dashboard-frag-knowledge",
    ),
    path(
        "dashboard/frag/settings/knowledge/save",
        knowledge_settings.article_save_fragment,
        name="dashboard-frag-article-save",
    ),
    path(
        "dashboard/frag/settings/knowledge/defaults",
        knowledge_settings.load_defaults_fragment,
        name="dashboard-frag-article-defaults",
    ),
    path(
        "dashboard/frag/settings/knowledge/<int:pk>/publish",
        knowledge_settings.article_publish_fragment,
        name="dashboard-frag-article-publish",
    ),
    path(
        "dashboard/frag/settings/warranty",
        operations_settings.warranty_fragment,
        name="dashboard-frag-warranty-settings",
    ),
    path(
        "dashboard/frag/settings/warranty/terms",
        operations_settings.terms_save_fragment,
        name="dashboard-frag-warranty-terms",
    ),
    path(
        "dashboard/frag/settings/warranty/settings",
        operations_settings.warranty_settings_save_fragment,
        name="dashboard-frag-warranty-config",
    ),
    path(
        "dashboard/frag/settings/warranty/centers",
        operations_settings.center_save_fragment,
        name="dashboard-frag-service-center",
    ),
    path(
        "dashboard/frag/settings/warranty/technicians",
        operations_settings.technician_save_fragment,
        name="dashboard-frag-technician",
    ),
    path("dashboard/frag/settings/history", history_settings.history_fragment, name="dashboard-frag-history"),
    path("dashboard/frag/settings/care", care_settings.care_fragment, name="dashboard-frag-care-settings"),
    path(
        "dashboard/frag/settings/care/guides",
        care_settings.care_guide_save_fragment,
        name="dashboard-frag-care-guide-save",
    ),
    path(
        "dashboard/frag/settings/care/symptoms",
        care_settings.symptom_save_fragment,
        name="dashboard-frag-symptom-save",
    ),
    path(
        "dashboard/frag/settings/warranty/technicians/<int:pk>/active",
        operations_settings.technician_active_fragment,
        name="dashboard-frag-technician-active",
    ),
    path(
        "dashboard/frag/settings/warranty/terms/<int:pk>/delete",
        operations_settings.terms_delete_fragment,
        name="dashboard-frag-warranty-terms-delete",
    ),
    path(
        "dashboard/frag/settings/sla/policies/<int:pk>/delete",
        operations_settings.policy_delete_fragment,
        name="dashboard-frag-sla-policy-delete",
    ),
    path(
        "dashboard/frag/settings/sla/calendars/<int:pk>/delete",
        operations_settings.calendar_delete_fragment,
        name="dashboard-frag-sla-calendar-delete",
    ),
    path("dashboard/frag/settings/sla", operations_settings.sla_fragment, name="dashboard-frag-sla-settings"),
    path(
        "dashboard/frag/settings/sla/policies",
        operations_settings.policy_save_fragment,
        name="dashboard-frag-sla-policy",
    ),
    path(
        "dashboard/frag/settings/sla/calendars",
        operations_settings.calendar_save_fragment,
        name="dashboard-frag-sla-calendar",
    ),
    path(
        "dashboard/frag/settings/notifications",
        operations_settings.templates_fragment,
        name="dashboard-frag-templates",
    ),
    path(
        "dashboard/frag/settings/notifications/save",
        operations_settings.template_save_fragment,
        name="dashboard-frag-template-save",
    ),
    path("dashboard/frag/widgets/order", widgets.order_widget_fragment, name="dashboard-frag-order-widget"),
    path(
        "dashboard/frag/widgets/customer",
        widgets.customer_widget_fragment,
        name="dashboard-frag-customer-widget",
    ),
    path("dashboard/frag/widgets/home", widgets.home_widget_fragment, name="dashboard-frag-home-widget"),
]
