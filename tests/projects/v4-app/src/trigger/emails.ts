import { concurrencyLimit, logger, task } from "@trigger.dev/sdk";
import { deliverEmail } from "../lib/payments";

// One shared limit for every task that talks to the email provider.
export const emailProvider = concurrencyLimit({ name: "email-provider", total: 10 });

export const sendReceipt = task({
  id: "send-receipt",
  concurrency: emailProvider,
  run: async (payload: { email: string; orderId: string; chargeId: string }) => {
    logger.info("Sending receipt", { orderId: payload.orderId });
    await deliverEmail(
      payload.email,
      `Receipt for order ${payload.orderId}`,
      `We charged your card (reference ${payload.chargeId}).`,
    );
    return { sent: true };
  },
});
