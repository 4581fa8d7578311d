""" "Saleor actions" for tests: what a merchant, a customer or a payment app does in a real Saleor, with the
events that Saleor 3.24 fires for it (samples/events/README.md). Each helper queues its events and delivers
everything pending at its end, unless `deliver=False`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .domain import catalog, orders, payments
from .state import ZERO, Obj, metadata_items, now, order_total

if TYPE_CHECKING:
    from .state import State
    from .webhooks import Delivery


class ScenarioMixin:
    state: State
    admin: Obj
    payment_app: Obj

    def deliver_pending(self, *, max_items: int = 500) -> list[Delivery]:  # implemented by SaleorStandIn
        raise NotImplementedError

    def _done(self, deliver: bool) -> None:
        if deliver:
            self.deliver_pending()

    # --- catalogue ---

    def create_channel(
        self, slug: str = "default-channel", currency: str = "USD", name: str | None = None
    ) -> Obj:
        with self.state.lock:
            return catalog.create_channel(self.state, slug, currency, name)

    def create_product_type(self, name: str = "Default Type", *, is_shipping_required: bool = True) -> Obj:
        with self.state.lock:
            return catalog.create_product_type(self.state, name, is_shipping_required=is_shipping_required)

    def create_category(
        self, name: str = "Default Category", *, slug: str | None = None, parent: Obj | None = None
    ) -> Obj:
        with self.state.lock:
            return catalog.create_category(self.state, name, slug=slug, parent=parent)

    def create_product(
        self,
        name: str = "Product",
        product_type: Obj | None = None,
        category: Obj | None = None,
        variants: list[dict[str, Any]] | None = None,
        metadata: dict[str, str] | None = None,
        attributes: dict[str, Any] | None = None,
    ) -> Obj:
        """variants: [{"sku": "SKU", "price": Decimal("50"), "name": "...", "metadata": {...}}]; returns the
        product (its variants under product["variants"])."""
        with self.state.lock:
            return catalog.create_product(
                self.state,
                name,
                product_type=product_type,
                category=category,
                variants=variants,
                metadata=metadata,
                attributes=attributes,
            )

    # --- people ---

    def create_customer(
        self,
        email: str,
        first_name: str = "",
        last_name: str = "",
        language_code: str = "EN",
        *,
        is_confirmed: bool = False,
        metadata: dict[str, str] | None = None,
        deliver: bool = True,
    ) -> Obj:
        """accountRegister: CUSTOMER_CREATED with issuingPrincipal null (and isConfirmed false, as observed)."""
        with self.state.lock:
            user = self.state.new_user(
                email,
                first_name=first_name,
                last_name=last_name,
                language_code=language_code,
                is_confirmed=is_confirmed,
                metadata=metadata,
            )
            self.state.emit("CUSTOMER_CREATED", None, user=user)
        self._done(deliver)
        return user

    def update_customer(
        self,
        user: Obj,
        *,
        staff: Obj | None = None,
        deliver: bool = True,
        **changes: Any,
    ) -> Obj:
        """customerUpdate by staff: CUSTOMER_UPDATED. changes use GraphQL names, e.g. isConfirmed=True,
        firstName="Ada", isActive=False; `metadata={"k": "v"}` replaces the public metadata."""
        with self.state.lock:
            for key, value in changes.items():
                if key == "metadata":
                    user["metadata"] = metadata_items(value)
                elif key not in user or key.startswith("_"):
                    raise KeyError(f"User has no field {key!r}")
                else:
                    user[key] = value
            user["updatedAt"] = now()
            self.state.emit("CUSTOMER_UPDATED", staff or self.admin, user=user)
        self._done(deliver)
        return user

    def create_staff(
        self, email: str, permissions: Iterable[str] = (), first_name: str = "", last_name: str = ""
    ) -> Obj:
        with self.state.lock:
            return self.state.new_user(
                email,
                first_name=first_name,
                last_name=last_name,
                is_staff=True,
                permissions=list(permissions),
            )

    # --- orders ---

    def _channel(self, channel: Obj | None) -> Obj:
        return channel or catalog.default_channel(self.state)

    @staticmethod
    def _variant(item: Obj) -> Obj:
        return item["defaultVariant"] if item["__typename"] == "Product" else item

    def create_order(
        self,
        customer: Obj | None = None,
        email: str | None = None,
        lines: Sequence[tuple[Any, ...]] = (),
        channel: Obj | None = None,
        shipping: Decimal | int | str = ZERO,
        *,
        tax_rate: Decimal | str = ZERO,
        staff: Obj | None = None,
        metadata: dict[str, str] | None = None,
        language_code: str = "EN",
        deliver: bool = True,
    ) -> Obj:
        """draftOrderCreate + draftOrderComplete by staff: DRAFT_ORDER_CREATED, ORDER_CREATED, ORDER_CONFIRMED.
        lines: [(variant or product, quantity)] or [(variant, quantity, unit price override)]."""
        specs = [
            (
                self._variant(item[0]),
                int(item[1]),
                Decimal(str(item[2])) if len(item) > 2 and item[2] is not None else None,
            )
            for item in lines
        ]
        if not specs:
            raise ValueError("create_order needs at least one line")
        actor = staff or self.admin
        with self.state.lock:
            order = orders.create_draft_order(
                self.state,
                actor,
                channel=self._channel(channel),
                lines=specs,
                user=customer,
                user_email=email or (customer["email"] if customer else None),
                shipping=Decimal(str(shipping)),
                tax_rate=Decimal(str(tax_rate)),
                language_code=language_code,
                metadata=metadata,
            )
            orders.complete_draft_order(self.state, actor, order)
        self._done(deliver)
        return order

    def pay_order(
        self,
        order: Obj,
        amount: Decimal | int | str | None = None,
        *,
        psp_reference: str | None = None,
        authorize_only: bool = False,
        deliver: bool = True,
    ) -> Obj:
        """transactionCreate by the payment app: ORDER_PAID (+ ORDER_FULLY_PAID when whole) + ORDER_UPDATED,
        issuingPrincipal = the payment app. Returns the transaction."""
        with self.state.lock:
            value = Decimal(str(amount)) if amount is not None else order_total(order)["gross"]["amount"]
            if authorize_only:
                tx = payments.create_transaction(
                    self.state, order, self.payment_app, authorized=value, psp_reference=psp_reference
                )
                self.state.emit("ORDER_UPDATED", self.payment_app, order=order)
            else:
                tx = payments.create_transaction(
                    self.state, order, self.payment_app, charged=value, psp_reference=psp_reference
                )
                payments.emit_charge_events(self.state, order, self.payment_app)
        self._done(deliver)
        return tx

    def fulfill_order(
        self,
        order: Obj,
        lines: Sequence[tuple[Obj, int]] | None = None,
        warehouses: int = 1,
        tracking_number: str = "",
        *,
        notify_customer: bool = False,
        staff: Obj | None = None,
        deliver: bool = True,
    ) -> list[Obj]:
        """orderFulfill by staff: one FULFILLMENT_CREATED per fulfillment (one per warehouse), ORDER_FULFILLED when
        everything is fulfilled, ORDER_UPDATED. lines: [(order line, quantity)], default everything left."""
        with self.state.lock:
            created = orders.fulfill(
                self.state,
                staff or self.admin,
                order,
                list(lines) if lines is not None else None,
                warehouses=warehouses,
                tracking_number=tracking_number,
                notify_customer=notify_customer,
            )
        self._done(deliver)
        return created

    def complete_draft(self, order: Obj, *, staff: Obj | None = None, deliver: bool = True) -> Obj:
        """draftOrderComplete by staff (e.g. a draft the app created, before the customer pays it): the same id
        becomes an order; ORDER_CREATED (+ ORDER_CONFIRMED with auto-confirm)."""
        with self.state.lock:
            orders.complete_draft_order(self.state, staff or self.admin, order)
        self._done(deliver)
        return order

    def cancel_order(self, order: Obj, *, staff: Obj | None = None, deliver: bool = True) -> Obj:
        """orderCancel by staff: ORDER_CANCELLED + ORDER_UPDATED (the charge stays; no refund is requested)."""
        with self.state.lock:
            orders.cancel(self.state, staff or self.admin, order)
        self._done(deliver)
        return order

    def cancel_fulfillment(self, fulfillment: Obj, *, staff: Obj | None = None, deliver: bool = True) -> Obj:
        """orderFulfillmentCancel by staff: FULFILLMENT_CANCELED + ORDER_UPDATED."""
        with self.state.lock:
            orders.cancel_fulfillment(self.state, staff or self.admin, fulfillment)
        self._done(deliver)
        return fulfillment

    def update_tracking_number(
        self, fulfillment: Obj, tracking_number: str, *, staff: Obj | None = None, deliver: bool = True
    ) -> Obj:
        """orderFulfillmentUpdateTracking by staff: FULFILLMENT_TRACKING_NUMBER_UPDATED."""
        with self.state.lock:
            orders.update_tracking_number(self.state, staff or self.admin, fulfillment, tracking_number)
        self._done(deliver)
        return fulfillment

    def add_note(self, order: Obj, message: str, *, staff: Obj | None = None, deliver: bool = True) -> Obj:
        """orderNoteAdd by staff: ORDER_UPDATED (DRAFT_ORDER_UPDATED for a draft)."""
        with self.state.lock:
            event = orders.add_note(self.state, staff or self.admin, order, message)
        self._done(deliver)
        return event

    def refund_order(
        self,
        order: Obj,
        lines: Sequence[tuple[Obj, int]] = (),
        include_shipping: bool = False,
        amount: Decimal | int | str | None = None,
        *,
        transaction: Obj | None = None,
        reason: str | None = None,
        staff: Obj | None = None,
        deliver: bool = True,
    ) -> Obj:
        """Staff grants a refund and requests it (orderGrantRefundCreate + transactionRequestRefundForGrantedRefund);
        the payment app answers per `state.settings.refund_outcome`: ORDER_REFUNDED (+ ORDER_FULLY_REFUNDED) +
        ORDER_UPDATED with issuingPrincipal null. Returns the granted refund."""
        actor = staff or self.admin
        with self.state.lock:
            tx = transaction or (order["transactions"][0] if order["transactions"] else None)
            grant = payments.grant_refund(
                self.state,
                actor,
                order,
                transaction=tx,
                transaction_id=tx["id"] if tx else None,
                lines=[(line, line["id"], qty, None) for line, qty in lines],
                grant_shipping=include_shipping,
                amount=Decimal(str(amount)) if amount is not None else None,
                reason=reason,
            )
            tx = payments.request_grant_refund(self.state, actor, grant, tx)
            outcome = self.state.settings.refund_outcome
            value = grant["amount"]["amount"]
            self.state.payment_requests.append(
                {
                    "event": "TRANSACTION_REFUND_REQUESTED",
                    "transaction": tx,
                    "grantedRefund": grant,
                    "amount": value,
                    "outcome": outcome,
                }
            )

            def answer() -> None:
                payments.settle_refund(self.state, tx, value, outcome, grant=grant)

            if self.state.settings.refund_processing == "on_deliver":
                self.state.defer(f"refund {grant['id']}", answer)
            else:
                answer()
        self._done(deliver)
        return grant

    def return_products(
        self,
        order: Obj,
        lines: Sequence[tuple[Obj, int]],
        *,
        replace: bool = False,
        reason: str | None = None,
        staff: Obj | None = None,
        deliver: bool = True,
    ) -> dict[str, Obj | None]:
        """orderFulfillmentReturnProducts(refund:false) by staff for fulfilled order lines: ORDER_UPDATED (plus
        DRAFT_ORDER_CREATED for a replacement). lines: [(order line, quantity)]."""
        with self.state.lock:
            items = []
            for line, qty in lines:
                remaining = qty
                for fulfillment in order["fulfillments"]:
                    if fulfillment["status"] != "FULFILLED":
                        continue
                    for fl in fulfillment["lines"]:
                        if fl["orderLine"] is line and remaining:
                            take = min(fl["quantity"], remaining)
                            items.append({"line": fl, "quantity": take, "replace": replace, "reason": None})
                            remaining -= take
                if remaining:
                    raise ValueError(f"only {qty - remaining} of line {line['id']} can be returned")
            result = orders.return_products(
                self.state, staff or self.admin, order, fulfillment_lines=items, reason=reason
            )
        self._done(deliver)
        return result
