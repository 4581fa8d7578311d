"""Customer and app lifecycle events."""

from ...installations.actions import deactivate_installation
from ..registry import WebhookContext, handles


@handles("APP_DELETED", priority=0)
def app_deleted(ctx: WebhookContext) -> None:
    # Saleor deleted the app: its token is dead. Keep the data (merchants may re-install) but stop using it.
    if (ctx.payload.get("app") or {}).get("id") == ctx.installation.app_id:
        deactivate_installation(installation=ctx.installation)
