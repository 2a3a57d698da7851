export async function alertOps(title: string, details: Record<string, unknown>) {
  await fetch(process.env.OPS_WEBHOOK_URL ?? "http://localhost:9999/alerts", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ title, details }),
  });
}
