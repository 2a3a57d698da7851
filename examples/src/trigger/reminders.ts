import { logger, metadata, schedules, task, wait } from "@trigger.dev/sdk";
import { getInvoice, listOverdueInvoices } from "../lib/billing";
import { sendEmail } from "./emails";

export const paymentDunning = task({
  id: "payment-dunning",
  description: "Reminds a customer about an overdue invoice and escalates if it stays unpaid.",
  concurrency: { total: 20 },
  run: async (payload: { invoiceId: string; customerEmail: string }) => {
    const { invoiceId, customerEmail } = payload;
    const financeEmail = process.env.FINANCE_TEAM_EMAIL ?? "finance@acme.example";

    logger.info("Sending overdue reminder", { invoiceId });
    metadata.set("stage", "reminded");
    await sendEmail.trigger({ to: customerEmail, template: "invoice-overdue", data: { invoiceId } });

    // Give the customer three days to pay. The run is checkpointed and costs nothing while it waits.
    await wait.for({ days: 3 });

    const invoice = await getInvoice(invoiceId);
    if (invoice.status === "paid") {
      logger.info("Invoice paid after reminder", { invoiceId });
      metadata.set("stage", "paid");
      return { escalated: false };
    }

    logger.warn("Invoice still unpaid, escalating", { invoiceId, dueDate: invoice.dueDate });
    metadata.set("stage", "escalated");
    // demo: unawaited-trigger
    sendEmail.trigger({
      to: financeEmail,
      template: "dunning-escalation",
      data: { invoiceId, customerEmail },
    });

    return { escalated: true };
  },
});

export const overdueInvoiceReminders = schedules.task({
  id: "overdue-invoice-reminders",
  cron: {
    // demo: invalid-cron
    pattern: "0 0 9 * * 1-5",
    timezone: "Europe/Berlin",
  },
  concurrency: { total: 1 },
  run: async (payload) => {
    const overdue = await listOverdueInvoices(payload.timestamp);
    logger.info("Found overdue invoices", { count: overdue.length, scheduleId: payload.scheduleId });

    if (overdue.length === 0) {
      return { started: 0 };
    }

    const handle = await paymentDunning.batchTrigger(
      overdue.map((invoice) => ({
        payload: { invoiceId: invoice.id, customerEmail: invoice.customerEmail },
        options: { tags: [`invoice_${invoice.id}`, `customer_${invoice.customerId}`] },
      }))
    );

    logger.info("Started dunning runs", { batchId: handle.batchId, runCount: handle.runCount });
    return { started: handle.runCount };
  },
});
