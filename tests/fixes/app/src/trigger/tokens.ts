import { idempotencyKeys, logger, task, wait } from "@trigger.dev/sdk";
import { sendInvoiceEmail } from "./children";

// idempotency-key-misuse (create not awaited), wait-token-misuse
export const approveInvoice = task({
  id: "approve-invoice",
  run: async (payload: { invoiceId: string }) => {
    const idempotencyKey = idempotencyKeys.create(["approve", payload.invoiceId]);
    await sendInvoiceEmail.trigger({ invoiceId: payload.invoiceId, to: "approver@example.com" }, { idempotencyKey });

    const token = await wait.createToken({ timeout: "1d" });
    logger.info("waiting for approval", { tokenId: token.id });
    const approval = await wait.forToken<{ approved: boolean }>({ token, timeout: "1d" });
    return { approved: approval.ok && approval.output.approved };
  },
});
