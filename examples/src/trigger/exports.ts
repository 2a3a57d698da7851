import { logger, schemaTask } from "@trigger.dev/sdk";
import { z } from "zod";
import { listCustomerInvoices, type Invoice } from "../lib/billing";

function toCsv(invoices: Invoice[]): string {
  const header = "id,status,total,currency,due_date";
  const rows = invoices.map((i) => [i.id, i.status, i.total.toFixed(2), i.currency, i.dueDate].join(","));
  return [header, ...rows].join("\n");
}

export const exportCustomerInvoices = schemaTask({
  id: "export-customer-invoices",
  description: "Writes a customer's invoices for one year as CSV to a presigned upload URL.",
  schema: z.object({
    customerId: z.string().min(1),
    year: z.number().int().min(2000),
    uploadUrl: z.string().url(),
  }),
  // demo: invalid-machine-preset
  machine: "large-4x",
  concurrency: { total: 2 },
  run: async ({ customerId, year, uploadUrl }) => {
    logger.info("Exporting invoices", { customerId, year });

    const invoices: Invoice[] = [];
    for (let month = 1; month <= 12; month++) {
      const key = `${year}-${String(month).padStart(2, "0")}`;
      invoices.push(...(await listCustomerInvoices(customerId, key)));
    }

    const csv = toCsv(invoices);
    const upload = await fetch(uploadUrl, { method: "PUT", headers: { "content-type": "text/csv" }, body: csv });
    if (!upload.ok) {
      throw new Error(`Upload of the export failed with ${upload.status}`);
    }

    logger.info("Export uploaded", { customerId, year, invoices: invoices.length, bytes: csv.length });
    return { customerId, year, invoiceCount: invoices.length };
  },
});
