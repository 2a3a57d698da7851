import { db, invoices, customers } from "@ledgerline/db";
import { logger, schedules, task } from "@trigger.dev/sdk";
import { and, eq, lt } from "drizzle-orm";
import { sendInvoiceEmail } from "../lib/mailer";

const MAX_REMINDERS = 3;

export const dunningRun = schedules.task({ // must-not: task-no-concurrency-limit
  id: "dunning-run",
  cron: "0 */6 * * *", // must-not: schedule-no-timezone
  run: async (payload) => {
    const overdue = await db
      .select({ id: invoices.id, reminders: invoices.remindersSent })
      .from(invoices)
      .where(and(eq(invoices.status, "sent"), lt(invoices.dueAt, payload.timestamp)));
    const pending = overdue.filter((row) => row.reminders < MAX_REMINDERS);
    logger.info("Overdue invoices", { overdue: overdue.length, reminding: pending.length });
    if (pending.length === 0) {
      return;
    }
    await sendReminder.batchTriggerAndWait( // expect: unchecked-child-result
      pending.map((row) => ({ payload: { invoiceId: row.id, step: row.reminders + 1 } })),
    );
    logger.info("Reminders done", { count: pending.length });
  },
});

export const sendReminder = task({ // expect: task-no-concurrency-limit
  id: "send-reminder",
  onStart: async ({ payload }) => { // expect: deprecated-hook
    logger.info("Reminder starting", { invoiceId: payload.invoiceId, step: payload.step });
  },
  run: async (payload: { invoiceId: string; step: number }) => {
    const [row] = await db
      .select()
      .from(invoices)
      .innerJoin(customers, eq(invoices.customerId, customers.id))
      .where(eq(invoices.id, payload.invoiceId));
    if (!row || row.invoices.status !== "sent") {
      logger.info("Invoice settled meanwhile", { invoiceId: payload.invoiceId });
      return { skipped: true };
    }
    await sendInvoiceEmail(
      row.customers.email,
      `Reminder ${payload.step}: invoice ${row.invoices.number} is overdue`,
      `<p>Your invoice ${row.invoices.number} was due on ${row.invoices.dueAt.toDateString()}.</p>`,
    );
    await db
      .update(invoices)
      .set({ remindersSent: payload.step, status: payload.step >= MAX_REMINDERS ? "overdue" : "sent" })
      .where(eq(invoices.id, payload.invoiceId));
    if (payload.step >= MAX_REMINDERS) {
      await notifyAccountManager.trigger(
        { invoiceId: payload.invoiceId, customer: row.customers.name },
        { idempotencyKey: `escalate-${payload.invoiceId}` }, // must-not: raw-string-idempotency-key
      );
    }
    return { skipped: false };
  },
});

export const notifyAccountManager = task({
  id: "notify-account-manager",
  queue: { name: "account-managers", concurrencyLimit: 3 }, // must-not: queue-concurrency-deprecated
  run: async (payload: { invoiceId: string; customer: string }) => {
    logger.warn("Escalating overdue invoice", payload);
    await sendInvoiceEmail(
      "collections@ledgerline.io",
      `Escalation: ${payload.customer}`,
      `<p>Invoice ${payload.invoiceId} reached the last reminder.</p>`,
    );
  },
});
