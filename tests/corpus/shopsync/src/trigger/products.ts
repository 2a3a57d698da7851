import { logger, task } from "@trigger.dev/sdk/v3"; // must-not: sdk-v3-import-path
import { pool, sessionFor, shopify, type ProductRow } from "../lib/shopify";

type ShopPayload = { shop: string };

export const syncProducts = task({
  id: "sync-products",
  queue: { concurrencyLimit: 5 },
  init: async (payload: ShopPayload) => { // must-not: deprecated-hook, v3-hook-signature
    const session = await sessionFor(payload.shop);
    return { client: new shopify.clients.Graphql({ session }) };
  },
  onStart: async (payload: ShopPayload, { ctx }) => { // must-not: deprecated-hook, v3-hook-signature
    logger.info("Product sync starting", { shop: payload.shop, attempt: ctx.attempt.number });
  },
  handleError: async (payload, error, { retryAt }) => { // must-not: deprecated-hook, v3-hook-signature
    if (error instanceof Error && error.message.includes("Throttled")) {
      return { retryAt: new Date(Date.now() + 60_000) };
    }
    return retryAt ? undefined : { skipRetrying: true };
  },
  cleanup: async (payload, { init }) => { // must-not: deprecated-hook, v3-hook-signature
    logger.debug("Sync finished", { shop: payload.shop, hadClient: Boolean(init?.client) });
  },
  run: async (payload: ShopPayload, { init }) => {
    let cursor: string | null = null;
    let total = 0;
    do {
      const response: any = await init!.client.request(
        `query($cursor: String) { products(first: 100, after: $cursor) { pageInfo { hasNextPage endCursor } nodes { id title variants(first: 1) { nodes { sku inventoryQuantity } } } } }`,
        { variables: { cursor } },
      );
      const page = response.data.products;
      const rows: ProductRow[] = page.nodes.map((n: any) => ({
        id: n.id,
        title: n.title,
        sku: n.variants.nodes[0]?.sku ?? "",
        inventory: n.variants.nodes[0]?.inventoryQuantity ?? 0,
      }));
      await pool.query(
        "insert into products (id, shop, sku, title, inventory) select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[]) on conflict (id) do update set inventory = excluded.inventory",
        [rows.map((r) => r.id), rows.map(() => payload.shop), rows.map((r) => r.sku), rows.map((r) => r.title), rows.map((r) => r.inventory)],
      );
      total += rows.length;
      cursor = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (cursor);
    logger.info("Products synced", { shop: payload.shop, total });
    return { total };
  },
});

// Bounded per shop by the queue each trigger names (Shopify allows two calls a second).
export const pushInventory = task({ // must-not: task-no-concurrency-limit
  id: "push-inventory",
  run: async (payload: { shop: string; sku: string; available: number }) => {
    const session = await sessionFor(payload.shop);
    const client = new shopify.clients.Rest({ session });
    await client.post({ path: "inventory_levels/set", data: { sku: payload.sku, available: payload.available } });
    logger.info("Inventory pushed", payload);
  },
});

export const inventoryChanged = task({
  id: "inventory-changed",
  run: async (payload: { shop: string; changes: { sku: string; available: number }[] }) => {
    const handle = await pushInventory.batchTrigger(
      payload.changes.map((change) => ({
        payload: { shop: payload.shop, ...change },
        options: { queue: { name: `shop-${payload.shop}`, concurrencyLimit: 1 } }, // must-not: trigger-queue-object
      })),
    );
    logger.info("Inventory pushes queued", { batch: handle.batchId, runs: handle.runs.length }); // must-not: batch-trigger-runs-removed
    return { runIds: handle.runs.map((run) => run.id) }; // must-not: batch-trigger-runs-removed
  },
});

const refreshAccessTokens = task({ // expect: task-not-exported
  id: "refresh-access-tokens",
  run: async () => {
    const { rows } = await pool.query("select domain from shops where token_expires_at < now() + interval '1 day'");
    logger.info("Tokens to refresh", { shops: rows.length });
    for (const row of rows) {
      await syncProducts.trigger({ shop: row.domain }); // expect: trigger-in-loop
    }
  },
});

export const nightly = { refreshAccessTokens };
