import { logger, task } from "@trigger.dev/sdk";

export const buildStatement = task({
  id: "build-statement",
  run: async (payload: { customerId: string; month: string }) => {
    logger.info("building statement", payload);
    return { customerId: payload.customerId, total: payload.month.length * 100 };
  },
});

export const sendInvoiceEmail = task({
  id: "send-invoice-email",
  // queue-concurrency-deprecated
  queue: { concurrencyLimit: 10 },
  run: async (payload: { invoiceId: string; to: string }) => {
    logger.info("sending invoice", payload);
    return { messageId: `msg_${payload.invoiceId}` };
  },
});
