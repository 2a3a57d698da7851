// Thin client for the app's internal billing API. Shared by the app and the tasks.

export type InvoiceStatus = "uploaded" | "processing" | "approved" | "needs_review" | "paid" | "failed";

export type Invoice = {
  id: string;
  customerId: string;
  customerEmail: string;
  status: InvoiceStatus;
  total: number;
  currency: string;
  dueDate: string;
};

export type InvoicePatch = Partial<Pick<Invoice, "status" | "total" | "currency">> & {
  vendor?: string;
  problems?: string[];
};

export type MonthlyReport = {
  month: string;
  statementCount: number;
  total: number;
  currency: string;
};

function apiBaseUrl(): string {
  const url = process.env.BILLING_API_URL;
  if (!url) {
    throw new Error("BILLING_API_URL is not set");
  }
  return url;
}

async function request<T>(path: string, init?: RequestInit): Promise<T> {
  const response = await fetch(new URL(path, apiBaseUrl()), {
    ...init,
    headers: { "content-type": "application/json", ...init?.headers },
  });
  if (!response.ok) {
    throw new Error(`Billing API ${init?.method ?? "GET"} ${path} failed with ${response.status}`);
  }
  return (await response.json()) as T;
}

export function getInvoice(invoiceId: string): Promise<Invoice> {
  return request<Invoice>(`/invoices/${encodeURIComponent(invoiceId)}`);
}

export function updateInvoice(invoiceId: string, patch: InvoicePatch): Promise<Invoice> {
  return request<Invoice>(`/invoices/${encodeURIComponent(invoiceId)}`, {
    method: "PATCH",
    body: JSON.stringify(patch),
  });
}

export function listOverdueInvoices(asOf: Date): Promise<Invoice[]> {
  return request<Invoice[]>(`/invoices?status=overdue&asOf=${asOf.toISOString()}`);
}

export function listCustomerInvoices(customerId: string, month: string): Promise<Invoice[]> {
  return request<Invoice[]>(`/customers/${encodeURIComponent(customerId)}/invoices?month=${month}`);
}

export function getCustomer(customerId: string): Promise<{ id: string; name: string; email: string }> {
  return request(`/customers/${encodeURIComponent(customerId)}`);
}

export function listActiveCustomerIds(): Promise<string[]> {
  return request<string[]>("/customers?active=true&fields=id");
}

export async function isKnownSku(sku: string): Promise<boolean> {
  const result = await request<{ exists: boolean }>(`/catalog/skus/${encodeURIComponent(sku)}`);
  return result.exists;
}

export function saveMonthlyReport(report: MonthlyReport): Promise<{ id: string }> {
  return request<{ id: string }>("/reports/monthly", {
    method: "POST",
    body: JSON.stringify(report),
  });
}

/** "2026-10" for any date in November 2026. */
export function previousMonth(date: Date): string {
  const d = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() - 1, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, "0")}`;
}
