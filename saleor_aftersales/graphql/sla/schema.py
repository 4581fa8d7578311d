"""GraphQL queries and mutations of the sla capability."""

import graphene


class SlaQueries(graphene.ObjectType):
    pass


class SlaMutations(graphene.ObjectType):
    pass
