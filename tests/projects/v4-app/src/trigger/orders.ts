import { idempotencyKeys, logger, metadata, task } from "@trigger.dev/sdk";
import { chargeCustomer } from "../lib/payments";
import { sendReceipt } from "./emails";

export type OrderPayload = {
  orderId: string;
  customerId: string;
  email: string;
  amountInCents: number;
};

export const chargeOrder = task({
  id: "charge-order",
  concurrency: { perKey: 1 },
  run: async (payload: OrderPayload, { ctx }) => {
    logger.info("Charging order", { orderId: payload.orderId, attempt: ctx.attempt.number });
    metadata.set("status", "charging");
    // The provider's own key makes a retried attempt charge only once.
    const charge = await chargeCustomer(
      payload.customerId,
      payload.amountInCents,
      `charge-${payload.orderId}`,
    );
    metadata.set("status", "charged");
    return { chargeId: charge.id };
  },
});

export const processOrder = task({
  id: "process-order",
  concurrency: { total: 20 },
  run: async (payload: OrderPayload) => {
    logger.info("Processing order", { orderId: payload.orderId });
    const key = await idempotencyKeys.create(["charge", payload.orderId]);
    const { chargeId } = await chargeOrder
      .triggerAndWait(payload, { idempotencyKey: key })
      .unwrap();
    metadata.set("chargeId", chargeId);
    await sendReceipt.trigger({ email: payload.email, orderId: payload.orderId, chargeId });
    return { orderId: payload.orderId, chargeId };
  },
});
