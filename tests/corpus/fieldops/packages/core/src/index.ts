import { tasks } from "@trigger.dev/sdk";
import Redis from "ioredis";
import { z } from "zod";
import type { assignWorkOrder } from "../../worker/src/jobs/dispatch";
import type { notifyCustomers } from "../../worker/src/jobs/sms";

export const WorkOrder = z.object({
  id: z.string(),
  customerPhone: z.string(),
  address: z.string(),
  skill: z.enum(["hvac", "plumbing", "electrical"]),
  window: z.object({ from: z.string(), to: z.string() }),
});
export type WorkOrder = z.infer<typeof WorkOrder>;

const redis = new Redis(process.env.REDIS_URL ?? "redis://localhost:6379");
redis.on("error", (error) => console.error("redis", error));

export async function createWorkOrder(input: unknown) {
  const order = WorkOrder.parse(input);
  await redis.hset(`order:${order.id}`, { status: "new", payload: JSON.stringify(order) });
  await tasks.trigger<typeof assignWorkOrder>("assign-work-order", order, {
    tags: [`order:${order.id}`, `skill:${order.skill}`],
  });
  return order.id;
}

export async function announceDelays(orderIds: string[]) {
  return tasks.trigger<typeof notifyCustomers>("notify-customers", { orderIds, reason: "delay" });
}
