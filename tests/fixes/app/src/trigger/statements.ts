import { logger, task } from "@trigger.dev/sdk";
import { buildStatement, sendInvoiceEmail } from "./children";

// parallel-waits (awaited, the array used afterwards), unawaited-trigger
export const monthEnd = task({
  id: "month-end",
  run: async (payload: { month: string; customerIds: string[] }) => {
    const statements = await Promise.all(
      payload.customerIds.map((customerId) =>
        buildStatement.triggerAndWait({ customerId, month: payload.month }),
      ),
    );
    const totals = statements.flatMap((s) => (s.ok ? [s.output.total] : []));
    logger.info("statements built", { count: totals.length });

    sendInvoiceEmail.trigger({ invoiceId: payload.month, to: "billing@example.com" });
    return { totals };
  },
});

// parallel-waits on a promise that is not awaited where it is made
export const quarterEnd = task({
  id: "quarter-end",
  run: async (payload: { months: string[] }) => {
    const pending = Promise.all(
      payload.months.map((month) => buildStatement.triggerAndWait({ customerId: "acme", month })),
    );
    const results = await pending;
    logger.info("quarter built", { ok: results.filter((r) => r.ok).length });
    return { months: results.length };
  },
});
