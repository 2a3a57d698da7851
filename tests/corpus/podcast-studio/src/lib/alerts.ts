export async function reportFailure(taskId: string, runId: string, error: unknown, payload: unknown) {
  const text = error instanceof Error ? error.message : String(error);
  await fetch(process.env.DISCORD_WEBHOOK_URL ?? "https://discord.com/api/webhooks/unset", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      content: `**${taskId}** failed (run ${runId}): ${text}\n\`\`\`${JSON.stringify(payload).slice(0, 500)}\`\`\``,
    }),
  });
}
