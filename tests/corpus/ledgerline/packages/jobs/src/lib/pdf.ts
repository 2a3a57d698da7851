import chromium from "@sparticuz/chromium";
import { logger } from "@trigger.dev/sdk";
import puppeteer from "puppeteer-core";

export type InvoiceView = {
  number: string;
  customer: string;
  totalCents: number;
  dueAt: Date;
};

function invoiceHtml(view: InvoiceView) {
  const total = (view.totalCents / 100).toLocaleString("en-US", { style: "currency", currency: "USD" });
  return `<!doctype html><html><body>
    <h1>Invoice ${view.number}</h1>
    <p>Billed to ${view.customer}</p>
    <p>Total due: <strong>${total}</strong> by ${view.dueAt.toDateString()}</p>
  </body></html>`;
}

export async function renderInvoice(view: InvoiceView): Promise<Uint8Array> {
  logger.info("Rendering invoice PDF", { number: view.number });
  const browser = await puppeteer.launch({
    args: chromium.args,
    executablePath: await chromium.executablePath(),
    headless: true,
  });
  try {
    const page = await browser.newPage();
    await page.setContent(invoiceHtml(view), { waitUntil: "networkidle0" });
    return await page.pdf({ format: "A4", printBackground: true });
  } finally {
    try {
      await browser.close();
    } catch (closeError) {
      logger.warn("Chromium did not close cleanly", { closeError });
    }
  }
}
