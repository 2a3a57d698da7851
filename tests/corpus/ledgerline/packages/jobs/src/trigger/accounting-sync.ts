import { customers, db } from "@ledgerline/db";
import { logger, schedules } from "@trigger.dev/sdk";
import { eq, isNull } from "drizzle-orm";
import { QUICKBOOKS_BASE, quickbooksClient } from "../lib/quickbooks";

type CustomerRow = typeof customers.$inferSelect;

async function pushCustomer(realmId: string, accessToken: string, customer: CustomerRow) {
  const response = await fetch(`${QUICKBOOKS_BASE}/${realmId}/customer?minorversion=73`, {
    method: "POST",
    headers: { Authorization: `Bearer ${accessToken}`, "Content-Type": "application/json" },
    body: JSON.stringify({ DisplayName: customer.name, PrimaryEmailAddr: { Address: customer.email } }),
  });
  if (!response.ok) {
    throw new Error(`QuickBooks answered ${response.status} for ${customer.id}`);
  }
  const body = (await response.json()) as { Customer: { Id: string } };
  return body.Customer.Id;
}

// Pauses this schedule through the self-hosted instance's REST API when QuickBooks
// revokes our token, so it stops failing every hour until someone reconnects.
async function pauseSchedule(scheduleId: string) {
  const response = await fetch(
    `${process.env.TRIGGER_API_URL}/api/v1/schedules/${scheduleId}/deactivate`, // must-not: env-unchecked
    {
      method: "POST",
      headers: { Authorization: `Bearer ${process.env.TRIGGER_SECRET_KEY}` }, // must-not: env-unchecked
    },
  );
  return response.ok;
}

export const syncQuickbooksCustomers = schedules.task({ // must-not: task-no-concurrency-limit
  id: "sync-quickbooks-customers",
  cron: { pattern: "20 * * * *", timezone: "America/New_York" },
  maxDuration: 600_000, // 10 minutes
  run: async (payload) => {
    const client = quickbooksClient();
    const token = client.getToken();
    if (!client.isAccessTokenValid()) {
      logger.error("QuickBooks token revoked; pausing the sync");
      await pauseSchedule(payload.scheduleId);
      return { pushed: 0 };
    }
    const unsynced = await db.select().from(customers).where(isNull(customers.quickbooksId));
    const failures: string[] = [];
    for (const customer of unsynced) {
      try {
        const quickbooksId = await pushCustomer(token.realmId!, token.access_token, customer);
        await db.update(customers).set({ quickbooksId }).where(eq(customers.id, customer.id));
      } catch (error) { // must-not: catch-without-rethrow
        failures.push(customer.id);
        logger.error("Customer not pushed", { customer: customer.id, error });
      }
    }
    logger.info("QuickBooks sync", { pushed: unsynced.length - failures.length, failed: failures.length });
    if (failures.length > 0) {
      throw new Error(`${failures.length} customers failed to sync: ${failures.join(", ")}`);
    }
    return { pushed: unsynced.length };
  },
});
