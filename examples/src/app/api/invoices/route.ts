// POST /api/invoices: called by the upload form once the scan is in object storage.
import { configure, tasks } from "@trigger.dev/sdk";
import type { processInvoice } from "../../../trigger/process-invoice";

// demo: hardcoded-secret-key
configure({ secretKey: process.env.TRIGGER_SECRET_KEY ?? "tr_dev_BMtC3Jd5wFnkjgWLhFU5" });

type UploadRequest = {
  invoiceId: string;
  customerId: string;
  fileUrl: string;
  uploadedBy: string;
};

function isUploadRequest(body: unknown): body is UploadRequest {
  if (typeof body !== "object" || body === null) return false;
  const fields = body as Record<string, unknown>;
  return ["invoiceId", "customerId", "fileUrl", "uploadedBy"].every(
    (key) => typeof fields[key] === "string" && fields[key] !== ""
  );
}

export async function POST(request: Request): Promise<Response> {
  const body: unknown = await request.json().catch(() => null);
  if (!isUploadRequest(body)) {
    return Response.json({ error: "invoiceId, customerId, fileUrl and uploadedBy are required" }, { status: 400 });
  }

  // One processing run per uploaded invoice, even if the form is submitted twice.
  const handle = await tasks.trigger<typeof processInvoice>(
    "process-invoice",
    {
      invoiceId: body.invoiceId,
      customerId: body.customerId,
      fileUrl: body.fileUrl,
      uploadedBy: body.uploadedBy,
    },
    {
      idempotencyKey: `invoice-upload-${body.invoiceId}`,
      tags: [`invoice_${body.invoiceId}`, `customer_${body.customerId}`],
    }
  );

  // The browser can follow progress with the run id and its public access token.
  return Response.json({ runId: handle.id, publicAccessToken: handle.publicAccessToken }, { status: 202 });
}
