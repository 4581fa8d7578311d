from django.apps import AppConfig


class GraphQLApiConfig(AppConfig):
    # An app only so that its management command (export_schema) is found; it has no models.
    name = "saleor_aftersales.graphql"
    label = "graphql_api"
