"""GraphQL queries and mutations of the notifications capability."""

import graphene


class NotificationQueries(graphene.ObjectType):
    pass


class NotificationMutations(graphene.ObjectType):
    pass
