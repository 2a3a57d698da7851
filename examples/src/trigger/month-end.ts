import { logger, schedules, task } from "@trigger.dev/sdk";
import {
  getCustomer,
  listActiveCustomerIds,
  listCustomerInvoices,
  previousMonth,
  saveMonthlyReport,
} from "../lib/billing";
import { deliverEmail } from "./emails";
import { emailProviderLimit, emailQueue } from "./queues";

export const buildCustomerStatement = task({
  id: "build-customer-statement",
  concurrency: { total: 10 },
  run: async (payload: { id: string; month: string }) => {
    const customer = await getCustomer(payload.id);
    const invoices = await listCustomerInvoices(payload.id, payload.month);
    const total = invoices.reduce((sum, invoice) => sum + invoice.total, 0);
    logger.info("Built statement", { customerId: payload.id, month: payload.month, invoices: invoices.length });
    return { customerId: customer.id, email: customer.email, invoiceCount: invoices.length, total };
  },
});

export const summarizeMonth = task({
  id: "summarize-month",
  concurrency: { total: 1 },
  run: async (payload: { month: string; totals: number[] }) => {
    const total = payload.totals.reduce((sum, value) => sum + value, 0);
    logger.info("Summarized month", { month: payload.month, statements: payload.totals.length, total });
    return { month: payload.month, statementCount: payload.totals.length, total, currency: "EUR" };
  },
});

// Copied from emails.ts to send statements, but the id was never changed.
export const sendStatementEmail = task({
  // demo: duplicate-task-id
  id: "send-email",
  queue: emailQueue,
  concurrency: emailProviderLimit,
  run: async (payload: { customerId: string; email: string; month: string; total: number }) => {
    logger.info("Sending statement email", { customerId: payload.customerId, month: payload.month });
    await deliverEmail({
      to: payload.email,
      subject: `Your statement for ${payload.month}`,
      html: `<p>Your invoices for ${payload.month} total ${payload.total.toFixed(2)} EUR.</p>`,
    });
    return { customerId: payload.customerId, month: payload.month };
  },
});

export const monthEndReport = schedules.task({
  id: "month-end-report",
  cron: { pattern: "0 6 1 * *", timezone: "America/New_York" },
  concurrency: { total: 1 },
  maxDuration: 1800,
  run: async (payload) => {
    const month = previousMonth(payload.timestamp);
    const ids = await listActiveCustomerIds();
    logger.info("Starting month-end report", { month, customers: ids.length });

    // demo: parallel-waits
    const statements = await Promise.all(ids.map((id) => buildCustomerStatement.triggerAndWait({ id, month })));
    const built = statements.flatMap((statement) => (statement.ok ? [statement.output] : []));

    const r = await summarizeMonth.triggerAndWait({ month, totals: built.map((s) => s.total) });
    // demo: result-not-unwrapped
    const revenue = r.total;

    const report = await saveMonthlyReport({ month, statementCount: built.length, total: revenue, currency: "EUR" });
    logger.info("Month-end report saved", { month, reportId: report.id, revenue });

    if (built.length > 0) {
      const emailBatch = await sendStatementEmail.batchTrigger(
        built.map((s) => ({ payload: { customerId: s.customerId, email: s.email, month, total: s.total } }))
      );
      logger.info("Queued statement emails", { batchId: emailBatch.batchId, count: emailBatch.runCount });
    }

    return { month, reportId: report.id, statements: built.length };
  },
});
