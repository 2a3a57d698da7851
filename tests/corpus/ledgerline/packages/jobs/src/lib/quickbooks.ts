import OAuthClient from "intuit-oauth";

export const QUICKBOOKS_BASE = "https://quickbooks.api.intuit.com/v3/company";

export function quickbooksClient() {
  return new OAuthClient({
    clientId: process.env.QB_CLIENT_ID!,
    clientSecret: process.env.QB_CLIENT_SECRET!,
    environment: "production",
    redirectUri: "https://app.ledgerline.io/oauth/quickbooks",
  });
}

export type QuickbooksInvoice = { Id: string; DocNumber: string; TotalAmt: number; Balance: number };
