import "@shopify/shopify-api/adapters/node";
import { ApiVersion, shopifyApi, Session } from "@shopify/shopify-api";
import pg from "pg";

export const shopify = shopifyApi({
  apiKey: process.env.SHOPIFY_API_KEY!,
  apiSecretKey: process.env.SHOPIFY_API_SECRET!,
  apiVersion: ApiVersion.October24,
  isEmbeddedApp: false,
  hostName: "sync.shopsync.io",
});

export const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 4 });
pool.on("error", (error) => console.error("pg pool error", error));

export async function sessionFor(shop: string): Promise<Session> {
  const { rows } = await pool.query("select session from shops where domain = $1", [shop]);
  if (rows.length === 0) throw new Error(`No session for ${shop}`);
  return new Session(rows[0].session);
}

export type ProductRow = { id: string; sku: string; title: string; inventory: number };
