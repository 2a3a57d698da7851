import { customers, db } from "@ledgerline/db";
import { logger, metadata, schemaTask, task } from "@trigger.dev/sdk";
import { z } from "zod";

const CHUNK = 250;

function parseCsv(text: string): { name: string; email: string }[] {
  const [header, ...lines] = text.trim().split(/\r?\n/);
  const columns = header.split(",").map((c) => c.trim().toLowerCase());
  const nameAt = columns.indexOf("name");
  const emailAt = columns.indexOf("email");
  return lines
    .map((line) => line.split(","))
    .filter((cells) => cells[emailAt]?.includes("@"))
    .map((cells) => ({ name: cells[nameAt].trim(), email: cells[emailAt].trim().toLowerCase() }));
}

// Runs once per chunk of an uploaded CSV.
export const upsertCustomerChunk = task({ // expect: task-no-concurrency-limit
  id: "upsert-customer-chunk",
  run: async (payload: { rows: { name: string; email: string }[] }) => {
    await db.insert(customers).values(payload.rows).onConflictDoNothing();
    logger.info("Chunk stored", { rows: payload.rows.length });
  },
});

export const importCustomers = schemaTask({
  id: "import-customers",
  schema: z.object({ csvUrl: z.string().url(), uploadedBy: z.string() }),
  maxDuration: 120,
  run: async ({ csvUrl, uploadedBy }) => {
    const response = await fetch(csvUrl);
    if (!response.ok) {
      throw new Error(`Could not download ${csvUrl}: ${response.status}`);
    }
    const rows = parseCsv(await response.text());
    metadata.set("rows", rows.length);
    logger.info("CSV parsed", { rows: rows.length, uploadedBy });
    for (let i = 0; i < rows.length; i += CHUNK) {
      await upsertCustomerChunk.trigger({ rows: rows.slice(i, i + CHUNK) }); // expect: trigger-in-loop
      metadata.increment("chunksQueued", 1);
    }
    return { rows: rows.length };
  },
});
