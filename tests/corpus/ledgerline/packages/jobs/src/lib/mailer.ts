import { Resend } from "resend";

const resend = new Resend(process.env.RESEND_API_KEY);

export async function sendInvoiceEmail(to: string, subject: string, html: string, pdf?: Uint8Array) {
  const { data, error } = await resend.emails.send({
    from: "Ledgerline <billing@ledgerline.io>",
    to,
    subject,
    html,
    attachments: pdf ? [{ filename: "invoice.pdf", content: Buffer.from(pdf) }] : undefined,
  });
  if (error) {
    throw new Error(`Resend: ${error.message}`);
  }
  return data!.id;
}
