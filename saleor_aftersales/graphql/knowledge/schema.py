"""GraphQL queries and mutations of the knowledge capability."""

import graphene


class KnowledgeQueries(graphene.ObjectType):
    pass


class KnowledgeMutations(graphene.ObjectType):
    pass
