import { tasks } from "@trigger.dev/sdk";
import type { sendInvoice } from "@ledgerline/jobs/src/trigger/invoices";

export async function POST(request: Request) {
  const { invoiceId } = (await request.json()) as { invoiceId: string };
  const handle = await tasks.trigger<typeof sendInvoice>(
    "send-invoice",
    { invoiceId },
    { tags: [`invoice:${invoiceId}`] },
  );
  return Response.json({ runId: handle.id, token: handle.publicAccessToken });
}
