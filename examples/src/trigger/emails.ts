import { logger, task } from "@trigger.dev/sdk";
import { emailProviderLimit, emailQueue } from "./queues";

export type EmailTemplate =
  | "invoice-approved"
  | "invoice-needs-review"
  | "invoice-overdue"
  | "dunning-escalation"
  | "monthly-statement";

export type SendEmailPayload = {
  to: string;
  template: EmailTemplate;
  data: Record<string, string | number>;
};

function render(template: EmailTemplate, data: SendEmailPayload["data"]): { subject: string; html: string } {
  const invoice = String(data.invoiceId ?? "");
  switch (template) {
    case "invoice-approved":
      return { subject: `Invoice ${invoice} approved`, html: `<p>Invoice ${invoice} was read and approved.</p>` };
    case "invoice-needs-review":
      return {
        subject: `Invoice ${invoice} needs your review`,
        html: `<p>We found ${data.problemCount} problem(s) in invoice ${invoice}.</p>`,
      };
    case "invoice-overdue":
      return { subject: `Invoice ${invoice} is overdue`, html: `<p>Invoice ${invoice} is past its due date.</p>` };
    case "dunning-escalation":
      return {
        subject: `Escalation: invoice ${invoice} still unpaid`,
        html: `<p>Invoice ${invoice} (${data.customerEmail}) is unpaid after a reminder.</p>`,
      };
    case "monthly-statement":
      return { subject: `Your statement for ${data.month}`, html: `<p>Your statement for ${data.month} is ready.</p>` };
  }
}

/** Sends one email through Resend. Throws when the provider rejects it. */
export async function deliverEmail(email: { to: string; subject: string; html: string }): Promise<void> {
  const apiKey = process.env.RESEND_API_KEY;
  if (!apiKey) {
    throw new Error("RESEND_API_KEY is not set");
  }
  const from = process.env.EMAIL_FROM ?? "Acme Invoices <invoices@acme.example>";

  const response = await fetch("https://api.resend.com/emails", {
    method: "POST",
    headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
    body: JSON.stringify({ from, ...email }),
  });
  if (!response.ok) {
    throw new Error(`Email provider responded with ${response.status}`);
  }
}

export const sendEmail = task({
  // demo: duplicate-task-id (the other "send-email" is in month-end.ts)
  id: "send-email",
  queue: emailQueue,
  concurrency: emailProviderLimit,
  run: async (payload: SendEmailPayload) => {
    const { subject, html } = render(payload.template, payload.data);
    logger.info("Sending email", { to: payload.to, template: payload.template });

    try {
      await deliverEmail({ to: payload.to, subject, html });
      // demo: catch-without-rethrow
    } catch (error) {
      logger.error("Failed to send email", { to: payload.to, template: payload.template, error });
    }

    return { to: payload.to, template: payload.template };
  },
});
