import { tasks } from "@trigger.dev/sdk";
import type { processOrder } from "../../../trigger/orders";

type OrderRequest = {
  orderId: string;
  customerId: string;
  email: string;
  amountInCents: number;
};

export async function POST(request: Request): Promise<Response> {
  const order = (await request.json()) as OrderRequest;
  const handle = await tasks.trigger<typeof processOrder>("process-order", order, {
    idempotencyKey: `order-${order.orderId}`,
    tags: [`order_${order.orderId}`],
  });
  return Response.json({ runId: handle.id });
}
