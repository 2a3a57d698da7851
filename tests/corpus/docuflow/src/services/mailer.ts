import { logger } from "@trigger.dev/sdk";

type Receipt = { invoiceId: string; email: string };

const MAIL_API = "https://api.postmarkapp.com/email/withTemplate";

export async function sendReceiptEmail(receipt: Receipt) {
  logger.info("Sending receipt", { invoiceId: receipt.invoiceId });
  const response = await fetch(MAIL_API, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      "X-Postmark-Server-Token": process.env.POSTMARK_TOKEN ?? "",
    },
    body: JSON.stringify({
      From: "billing@docuflow.app",
      To: receipt.email,
      TemplateAlias: "receipt",
      TemplateModel: { invoice_id: receipt.invoiceId },
    }),
  });
  if (!response.ok) {
    throw new Error(`Postmark answered ${response.status}`);
  }
  return { messageId: ((await response.json()) as { MessageID: string }).MessageID };
}
