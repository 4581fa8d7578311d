import graphene
from django.db import transaction

from ...core.mutations import BaseMutation
from ..access import staff_installation
from ..types import InsightsError


class InsightsRollupsRefresh(BaseMutation):
    queued = graphene.Boolean(description="True when a refresh was queued.")
    errors = graphene.NonNull(graphene.List(graphene.NonNull(InsightsError)))

    class Meta:
        description = "Ask for a rollup refresh now instead of waiting for the next beat (runs as a task)."

    @classmethod
    def perform_mutation(cls, root, info, **data):
        from ....insights.tasks import refresh_rollups_task

        installation = staff_installation(info)
        transaction.on_commit(lambda: refresh_rollups_task.delay(installation.pk))
        return cls(queued=True)
