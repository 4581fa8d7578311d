"""GraphQL queries and mutations of the returns capability."""

import graphene


class ReturnQueries(graphene.ObjectType):
    pass


class ReturnMutations(graphene.ObjectType):
    pass
