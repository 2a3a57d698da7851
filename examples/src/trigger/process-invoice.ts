import { idempotencyKeys, logger, metadata, schemaTask } from "@trigger.dev/sdk";
import { z } from "zod";
import { updateInvoice } from "../lib/billing";
import { sendEmail } from "./emails";
import { extractInvoiceData, validateLineItem } from "./extract-invoice";

export const processInvoice = schemaTask({
  id: "process-invoice",
  description: "Extracts and validates an uploaded invoice, files it, and emails the uploader.",
  schema: z.object({
    invoiceId: z.string().min(1),
    customerId: z.string().min(1),
    fileUrl: z.string().url(),
    uploadedBy: z.string().email(),
  }),
  maxDuration: 900,
  concurrency: { total: 20 },
  run: async (payload, { ctx }) => {
    const { invoiceId, customerId } = payload;
    logger.info("Processing invoice", { invoiceId, customerId, attempt: ctx.attempt.number });
    await updateInvoice(invoiceId, { status: "processing" });

    metadata.set("step", "extracting");
    const extracted = await extractInvoiceData
      .triggerAndWait({ invoiceId, fileUrl: payload.fileUrl })
      .unwrap();

    metadata.set("step", "validating");
    metadata.set("lineItems", extracted.lineItems.length);
    const checks = await validateLineItem.batchTriggerAndWait(
      extracted.lineItems.map((item) => ({ payload: { invoiceId, item } }))
    );
    const problems = checks.runs.flatMap((run) =>
      run.ok ? run.output.problems : [`validation run ${run.id} failed`]
    );

    const status = problems.length === 0 ? "approved" : "needs_review";
    await updateInvoice(invoiceId, {
      status,
      vendor: extracted.vendor,
      total: extracted.total,
      currency: extracted.currency,
      problems,
    });

    // Scoped to this run: a retry of this run will not email the uploader twice.
    metadata.set("step", "notifying");
    const emailKey = await idempotencyKeys.create([invoiceId, "processed-email"]);
    await sendEmail.trigger(
      {
        to: payload.uploadedBy,
        template: status === "approved" ? "invoice-approved" : "invoice-needs-review",
        data: { invoiceId, problemCount: problems.length },
      },
      { idempotencyKey: emailKey, tags: [`invoice_${invoiceId}`, `customer_${customerId}`] }
    );

    metadata.set("step", "done");
    logger.info("Invoice processed", { invoiceId, status, problems: problems.length });
    return { invoiceId, status, total: extracted.total, currency: extracted.currency, problems };
  },
  onFailure: async ({ payload, error }) => {
    logger.error("Invoice processing failed", { invoiceId: payload.invoiceId, error });
    await updateInvoice(payload.invoiceId, { status: "failed" });
  },
});
