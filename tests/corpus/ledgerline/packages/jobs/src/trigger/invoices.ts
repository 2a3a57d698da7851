import { customers, db, invoices } from "@ledgerline/db";
import { logger, schedules, task } from "@trigger.dev/sdk";
import { and, eq, gte } from "drizzle-orm";
import { sendInvoiceEmail } from "../lib/mailer";
import { renderInvoice } from "../lib/pdf";

type InvoiceRef = { invoiceId: string };

async function loadInvoice(invoiceId: string) {
  const [row] = await db
    .select()
    .from(invoices)
    .innerJoin(customers, eq(invoices.customerId, customers.id))
    .where(eq(invoices.id, invoiceId));
  if (!row) {
    throw new Error(`Invoice ${invoiceId} not found`);
  }
  return row;
}

// Rendered once per invoice of the monthly run; each run starts a headless Chromium.
export const generateInvoicePdf = task({ // expect: task-no-concurrency-limit; must-not: task-no-logging
  id: "generate-invoice-pdf",
  machine: "small-2x",
  run: async ({ invoiceId }: InvoiceRef) => {
    const { invoices: invoice, customers: customer } = await loadInvoice(invoiceId);
    const pdf = await renderInvoice({
      number: invoice.number,
      customer: customer.name,
      totalCents: invoice.totalCents,
      dueAt: invoice.dueAt,
    });
    return { bytes: pdf.byteLength, pdf: Buffer.from(pdf).toString("base64") };
  },
});

export const sendInvoice = task({ // expect: task-no-concurrency-limit
  id: "send-invoice",
  run: async ({ invoiceId }: InvoiceRef) => {
    const { invoices: invoice, customers: customer } = await loadInvoice(invoiceId);
    const { pdf } = await generateInvoicePdf.triggerAndWait({ invoiceId }).unwrap(); // must-not: unchecked-child-result
    const messageId = await sendInvoiceEmail(
      customer.email,
      `Invoice ${invoice.number} from Ledgerline`,
      `<p>Hi ${customer.name}, your invoice is attached.</p>`,
      Buffer.from(pdf, "base64"),
    );
    await db.update(invoices).set({ status: "sent" }).where(eq(invoices.id, invoiceId));
    logger.info("Invoice sent", { invoiceId, messageId });
    return { messageId };
  },
});

export const monthlyInvoiceRun = schedules.task({ // must-not: task-no-concurrency-limit
  id: "monthly-invoice-run",
  cron: { pattern: "0 8 1 * *", timezone: "America/New_York" },
  run: async (payload) => {
    const due = await db
      .select({ id: invoices.id })
      .from(invoices)
      .where(and(eq(invoices.status, "draft"), gte(invoices.dueAt, payload.timestamp)));
    logger.info("Monthly invoice run", { invoices: due.length });
    for (let i = 0; i < due.length; i += 500) {
      const chunk = due.slice(i, i + 500);
      await sendInvoice.batchTrigger(chunk.map((row) => ({ payload: { invoiceId: row.id } })));
    }
    return { queued: due.length };
  },
});
