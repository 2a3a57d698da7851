import { task } from "@trigger.dev/sdk";
import { sendReceiptEmail } from "@/services/mailer";
import { db } from "../lib/db";
import { notifyChannel, type Alert } from "../lib/slack";

export const sendReceipt = task({ // must-not: task-no-logging
  id: "send-receipt",
  retry: { maxAttempts: 4 },
  run: async (payload: { invoiceId: string; email: string }) => sendReceiptEmail(payload),
});

export const postAlert = task({ // must-not: task-no-logging
  id: "post-alert",
  retry: { maxAttempts: 3 },
  run: async (alert: Alert) => {
    const ts = await notifyChannel(alert);
    return { ts };
  },
});

export const touchLastSeen = task({ // expect: task-no-logging
  id: "touch-last-seen",
  retry: { maxAttempts: 2 },
  run: async (payload: { userId: string; at: string }) => {
    await db.user.update({
      where: { id: payload.userId },
      data: { lastSeenAt: new Date(payload.at) },
    });
  },
});
