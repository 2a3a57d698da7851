import { logger, schemaTask, task } from "@trigger.dev/sdk";
import OpenAI from "openai";
import { z } from "zod";
import { isKnownSku } from "../lib/billing";

export const LineItem = z.object({
  description: z.string(),
  sku: z.string().nullable(),
  quantity: z.number(),
  unitPrice: z.number(),
});
export type LineItem = z.infer<typeof LineItem>;

export const ExtractedInvoice = z.object({
  vendor: z.string(),
  invoiceNumber: z.string(),
  currency: z.string().length(3),
  total: z.number(),
  lineItems: z.array(LineItem).min(1),
});
export type ExtractedInvoice = z.infer<typeof ExtractedInvoice>;

const EXTRACTION_PROMPT = [
  "You read scanned supplier invoices.",
  "Answer with one JSON object with the keys vendor, invoiceNumber, currency (ISO 4217),",
  "total (number) and lineItems (array of { description, sku or null, quantity, unitPrice }).",
].join(" ");

export const extractInvoiceData = schemaTask({
  id: "extract-invoice-data",
  description: "Reads a scanned invoice with a vision model and returns structured data.",
  schema: z.object({
    invoiceId: z.string().min(1),
    fileUrl: z.string().url(),
  }),
  machine: "small-2x",
  maxDuration: 300,
  concurrency: { total: 10 },
  run: async ({ invoiceId, fileUrl }) => {
    const apiKey = process.env.OPENAI_API_KEY;
    if (!apiKey) {
      throw new Error("OPENAI_API_KEY is not set");
    }
    const openai = new OpenAI({ apiKey });

    logger.info("Extracting invoice data", { invoiceId });

    const completion = await openai.chat.completions.create({
      model: "gpt-4o-mini",
      response_format: { type: "json_object" },
      messages: [
        { role: "system", content: EXTRACTION_PROMPT },
        {
          role: "user",
          content: [
            { type: "text", text: `Invoice ${invoiceId}:` },
            { type: "image_url", image_url: { url: fileUrl } },
          ],
        },
      ],
    });

    const content = completion.choices[0]?.message.content;
    if (!content) {
      throw new Error(`Model returned no content for invoice ${invoiceId}`);
    }

    // A malformed answer throws here, and the attempt is retried with the project retry policy.
    const extracted = ExtractedInvoice.parse(JSON.parse(content));

    logger.info("Extracted invoice", {
      invoiceId,
      vendor: extracted.vendor,
      lineItems: extracted.lineItems.length,
      tokens: completion.usage?.total_tokens,
    });

    return extracted;
  },
});

export type LineItemCheck = {
  description: string;
  valid: boolean;
  problems: string[];
};

export const validateLineItem = task({
  id: "validate-line-item",
  concurrency: { total: 25 },
  run: async (payload: { invoiceId: string; item: LineItem }): Promise<LineItemCheck> => {
    const { item } = payload;
    logger.debug("Validating line item", { invoiceId: payload.invoiceId, sku: item.sku });

    const problems: string[] = [];
    if (item.quantity <= 0) {
      problems.push(`"${item.description}": quantity must be positive`);
    }
    if (item.unitPrice < 0) {
      problems.push(`"${item.description}": unit price is negative`);
    }
    if (item.sku && !(await isKnownSku(item.sku))) {
      problems.push(`"${item.description}": unknown SKU ${item.sku}`);
    }

    return { description: item.description, valid: problems.length === 0, problems };
  },
});
