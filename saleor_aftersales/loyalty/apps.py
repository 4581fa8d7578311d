from django.apps import AppConfig


class LoyaltyConfig(AppConfig):
    name = "saleor_aftersales.loyalty"
    label = "loyalty"
