from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    name = "saleor_aftersales.knowledge"
    label = "knowledge"
