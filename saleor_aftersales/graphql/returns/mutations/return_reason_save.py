import graphene

from ....installations.permissions import SaleorPermission
from ....returns import actions
from ....returns.reasons import merge_catalogue
from ...core.context import get_requestor
from ...core.mutations import BaseMutation
from ..types import ReturnError, ReturnReason


class ReturnReasonInput(graphene.InputObjectType):
    code = graphene.String(required=True, description="A slug; a built-in code overrides that reason.")
    parent_code = graphene.String()
    category = graphene.String(required=True, description="quality, no_reason, logistics or other")
    label_en = graphene.String(required=True)
    label_zh_hans = graphene.String(required=True)
    saleor_reason = graphene.String(description="Text sent as Saleor's per-line reason.")
    requires_evidence = graphene.Boolean(default_value=False)
    is_active = graphene.Boolean(default_value=True)
    position = graphene.Int(default_value=0)


class ReturnReasonSave(BaseMutation):
    reason = graphene.Field(ReturnReason)
    errors = graphene.NonNull(graphene.List(graphene.NonNull(ReturnError)))

    class Arguments:
        input = ReturnReasonInput(required=True)

    class Meta:
        description = "Add, change or deactivate (isActive: false) a return reason. Requires MANAGE_ORDERS."

    @classmethod
    def perform_mutation(cls, root, info, input):
        requestor = get_requestor(info)
        installation = requestor.require_staff(SaleorPermission.MANAGE_ORDERS)
        values = dict(input)
        values["parent_code"] = values.get("parent_code") or ""
        values["saleor_reason"] = values.get("saleor_reason") or ""
        row = actions.save_return_reason(installation=installation, actor=requestor.actor, **values)
        return cls(reason=merge_catalogue([row])[row.code])
