"""GraphQL queries and mutations of the service capability."""

import graphene


class ServiceQueries(graphene.ObjectType):
    pass


class ServiceMutations(graphene.ObjectType):
    pass
