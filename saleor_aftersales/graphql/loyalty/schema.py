"""GraphQL queries and mutations of the loyalty capability."""

import graphene


class LoyaltyQueries(graphene.ObjectType):
    pass


class LoyaltyMutations(graphene.ObjectType):
    pass
