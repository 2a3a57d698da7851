import { logger, task } from "@trigger.dev/sdk";
import twilio from "twilio";
import { technicianRoster } from "../lib/roster";

const client = twilio(process.env.TWILIO_ACCOUNT_SID!, process.env.TWILIO_AUTH_TOKEN!);
const FROM = process.env.TWILIO_FROM_NUMBER ?? "+15005550006";

type Sms = { to: string; body: string; orderId: string };

export const sendSms = task({ // expect: task-no-concurrency-limit
  id: "send-sms",
  onStart: async ({ payload }) => { // expect: deprecated-hook
    logger.info("Sending SMS", { orderId: payload.orderId });
  },
  run: async (sms: Sms) => {
    const message = await client.messages.create({ from: FROM, to: sms.to, body: sms.body });
    logger.info("SMS accepted", { sid: message.sid, status: message.status });
    return { sid: message.sid, status: message.status };
  },
});

export const notifyCustomers = task({
  id: "notify-customers",
  run: async (payload: { orderIds: string[]; reason: "delay" | "eta" }) => {
    const roster = await technicianRoster();
    const stops = roster.flatMap((t) => t.stops.map((s) => ({ ...s, technician: t.id })));
    for (const orderId of payload.orderIds) {
      const stop = stops.find((s) => s.orderId === orderId);
      if (!stop) continue;
      await sendSms.trigger( // expect: trigger-in-loop
        {
          to: await phoneFor(orderId),
          body: payload.reason === "delay" ? "Your technician is running late." : "Your technician is on the way.",
          orderId,
        },
        { idempotencyKey: `${payload.reason}-${orderId}` }, // expect: raw-string-idempotency-key
      );
    }
    logger.info("Customers notified", { count: payload.orderIds.length });
  },
});

export const confirmAppointment = task({
  id: "confirm-appointment",
  run: async (payload: { orderId: string; phone: string; window: string }) => {
    const sent = await sendSms.triggerAndWait({ // expect: unchecked-child-result
      to: payload.phone,
      body: `Your appointment is confirmed for ${payload.window}. Reply C to cancel.`,
      orderId: payload.orderId,
    });
    logger.info("Confirmation sent", { orderId: payload.orderId, run: sent.id });
    return { confirmationRun: sent.id };
  },
});

async function phoneFor(orderId: string): Promise<string> {
  const response = await fetch(`https://api.fieldops.app/internal/orders/${orderId}/phone`, {
    headers: { "x-internal-token": process.env.INTERNAL_API_TOKEN ?? "" },
  });
  return ((await response.json()) as { phone: string }).phone;
}
