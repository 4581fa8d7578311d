"""Query limits kept together with graphql-core's standard rules.

graphene-django replaces the standard rules with whatever `validation_rules` it is given, so the standard
rules are listed explicitly; depth and cost rules are added to them.
"""

from __future__ import annotations

from django.conf import settings
from graphene.validation import depth_limit_validator
from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    IntValueNode,
    ValidationRule,
)
from graphql.validation import specified_rules


class QueryCostRule(ValidationRule):
    """Cost = fields selected, multiplied by the `first` of the lists around them (Saleor-like)."""

    def enter_operation_definition(self, node, *_args):
        fragments = {
            f.name.value: f for f in self.context.document.definitions if hasattr(f, "type_condition")
        }
        variables = {}
        cost = self._cost(node.selection_set, fragments, variables, set())
        if cost > settings.GRAPHQL_MAX_COMPLEXITY:
            self.report_error(
                GraphQLError(
                    f"Query cost {cost} exceeds the limit of {settings.GRAPHQL_MAX_COMPLEXITY}.", node
                )
            )

    def _cost(self, selection_set, fragments, variables, seen) -> int:
        if selection_set is None:
            return 0
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                multiplier = 1
                for argument in selection.arguments or ():
                    if argument.name.value in ("first", "last", "limit") and isinstance(
                        argument.value, IntValueNode
                    ):
                        multiplier = max(int(argument.value.value), 1)
                total += 1 + multiplier * self._cost(selection.selection_set, fragments, variables, seen)
            elif isinstance(selection, InlineFragmentNode):
                total += self._cost(selection.selection_set, fragments, variables, seen)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name in fragments and name not in seen:
                    total += self._cost(fragments[name].selection_set, fragments, variables, seen | {name})
        return total


def validation_rules() -> tuple:
    return (*specified_rules, depth_limit_validator(max_depth=settings.GRAPHQL_MAX_DEPTH), QueryCostRule)
