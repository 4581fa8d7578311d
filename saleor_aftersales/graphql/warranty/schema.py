"""GraphQL queries and mutations of the warranty capability."""

import graphene


class WarrantyQueries(graphene.ObjectType):
    pass


class WarrantyMutations(graphene.ObjectType):
    pass
