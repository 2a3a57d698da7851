import { AbortTaskRunError, concurrencyLimit, logger, schedules, task } from "@trigger.dev/sdk";
import Stripe from "stripe";
import { db } from "../lib/db";
import { TASK_IDS } from "../lib/task-ids";
import { sendReceipt } from "./notify";

const stripe = new Stripe(process.env.STRIPE_SECRET_KEY as string, { // must-not: env-unchecked
  apiVersion: "2025-02-24.acacia",
});

// Stripe allows about 100 requests a second per account; webhooks arrive in bursts.
const stripeApi = concurrencyLimit({ name: "stripe-api", total: 10 });

export const handleStripeEvent = task({
  id: "handle-stripe-event",
  concurrency: stripeApi,
  retry: { maxAttempts: 5, minTimeoutInMs: 1_000, maxTimeoutInMs: 60_000 },
  run: async (payload: { eventId: string }) => {
    const event = await stripe.events.retrieve(payload.eventId);
    logger.info("Handling Stripe event", { type: event.type, id: event.id });

    switch (event.type) {
      case "invoice.paid": {
        const invoice = event.data.object as Stripe.Invoice;
        try {
          await db.invoice.update({
            where: { stripeId: invoice.id },
            data: { status: "paid", paidAt: new Date(invoice.status_transitions.paid_at! * 1000) },
          });
          await sendReceipt.trigger(
            { invoiceId: invoice.id!, email: invoice.customer_email! },
            { idempotencyKey: `receipt-${invoice.id}` }, // expect: raw-string-idempotency-key
          );
        } catch (error) { // expect: catch-without-rethrow
          logger.error("Could not record the payment", { invoice: invoice.id, error });
        }
        break;
      }
      case "customer.subscription.deleted": {
        const subscription = event.data.object as Stripe.Subscription;
        try {
          await db.workspace.update({
            where: { stripeSubscriptionId: subscription.id },
            data: { plan: "free", seats: 1 },
          });
        } catch (error) { // expect: catch-without-rethrow
          logger.error("Could not downgrade the workspace", { subscription: subscription.id, error });
        }
        break;
      }
      case "charge.dispute.created":
        logger.warn("Dispute opened", { id: event.id });
        break;
      default:
        throw new AbortTaskRunError(`Unhandled Stripe event type ${event.type}`);
    }
  },
});

export const issueRefund = task({
  id: TASK_IDS.refund, // must-not: task-missing-id
  concurrency: stripeApi,
  retry: { maxAttempts: 3 },
  run: async (payload: { paymentIntentId: string; reason: "duplicate" | "requested_by_customer" }) => {
    const intent = await stripe.paymentIntents.retrieve(payload.paymentIntentId);
    logger.info("Refund requested", { intent: intent.id, status: intent.status });
    if (intent.status === "succeeded") {
      try {
        await stripe.refunds.create(
          { payment_intent: intent.id, reason: payload.reason },
          { idempotencyKey: `refund-${intent.id}` },
        );
      } catch (error) { // expect: catch-without-rethrow
        logger.error("Stripe refused the refund", { intent: intent.id, error });
      }
    } else {
      throw new AbortTaskRunError(`Payment ${intent.id} is ${intent.status}; nothing to refund`);
    }
  },
});

type FxRates = Record<string, number>;

const RATE_MIRRORS = ["https://api.frankfurter.app", "https://fx.docuflow.internal"];

async function fetchRates(base: string): Promise<FxRates> {
  const response = await fetch(`${base}/latest?from=EUR`);
  if (!response.ok) {
    throw new Error(`Rates service answered ${response.status}`);
  }
  const body = (await response.json()) as { rates: FxRates };
  return body.rates;
}

export const refreshFxRates = schedules.task({ // must-not: task-no-concurrency-limit
  id: "refresh-fx-rates",
  cron: { pattern: "15 16 * * 1-5", timezone: "Europe/Berlin" },
  run: async () => {
    let lastError: unknown;
    for (const mirror of RATE_MIRRORS) {
      try {
        const rates = await fetchRates(mirror);
        await db.fxRate.createMany({
          data: Object.entries(rates).map(([currency, rate]) => ({ currency, rate, base: "EUR" })),
        });
        logger.info("Rates stored", { currencies: Object.keys(rates).length, mirror });
        return { currencies: Object.keys(rates).length };
      } catch (error) { // must-not: catch-without-rethrow
        lastError = error;
        logger.warn("Rates mirror failed, trying the next one", { mirror, error });
      }
    }
    throw lastError;
  },
});
