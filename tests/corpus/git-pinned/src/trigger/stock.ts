import { logger, schedules, task, tasks } from "@trigger.dev/sdk";
import mysql from "mysql2/promise";

const pool = mysql.createPool({ uri: process.env.WAREHOUSE_DB_URL!, connectionLimit: 4 });

type StockRow = { sku: string; warehouse: string; on_hand: number };

export const exportStock = task({
  id: "export-stock",
  queue: { name: "warehouse-db", concurrencyLimit: 2 }, // must-not: queue-concurrency-deprecated
  onStart: async ({ payload }) => { // expect: deprecated-hook
    logger.info("Exporting stock", { warehouse: payload.warehouse });
  },
  run: async (payload: { warehouse: string }) => {
    const [rows] = await pool.query("select sku, warehouse, on_hand from stock where warehouse = ?", [payload.warehouse]);
    const stock = rows as StockRow[];
    const response = await fetch("https://erp.acme-goods.com/api/stock-levels", {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(stock),
    });
    if (!response.ok) {
      throw new Error(`ERP answered ${response.status}`);
    }
    logger.info("Stock exported", { rows: stock.length });
    return { rows: stock.length };
  },
});

export const hourlyStockExport = schedules.task({ // must-not: task-no-concurrency-limit
  id: "hourly-stock-export",
  cron: "0 * * * *", // must-not: schedule-no-timezone
  run: async (payload) => {
    const hour = payload.timestamp.toISOString().slice(0, 13);
    for (const warehouse of ["ams-1", "rtm-2"]) {
      await tasks.trigger("export-stock", { warehouse }, { idempotencyKey: `stock-${warehouse}-${hour}` }); // expect: raw-string-idempotency-key
    }
    logger.info("Stock exports queued", { hour });
  },
});
