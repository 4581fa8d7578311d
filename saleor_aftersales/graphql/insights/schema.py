"""GraphQL queries and mutations of the insights capability."""

import graphene


class InsightsQueries(graphene.ObjectType):
    pass


class InsightsMutations(graphene.ObjectType):
    pass
