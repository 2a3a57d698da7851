import { logger, task } from "@trigger.dev/sdk";
import { buildStatement, sendInvoiceEmail } from "./children";

// batch-result-not-iterable (for..of and .map on the batch result), unchecked-child-result
export const billCustomers = task({
  id: "bill-customers",
  run: async (payload: { customerIds: string[] }) => {
    const results = await buildStatement.batchTriggerAndWait(
      payload.customerIds.map((customerId) => ({ payload: { customerId, month: "2026-11" } })),
    );
    for (const run of results) {
      logger.info("statement run", { id: run.id, ok: run.ok });
    }
    const ok = results.map((run) => run.ok);

    try {
      await sendInvoiceEmail.triggerAndWait({ invoiceId: "inv_1", to: "billing@example.com" });
    } catch (error) {
      logger.error("email failed", { error });
      throw error;
    }
    await sendInvoiceEmail.triggerAndWait({ invoiceId: "inv_2", to: "billing@example.com" });
    return { ok };
  },
});
