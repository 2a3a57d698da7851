import { WebClient } from "@slack/web-api";
import { logger } from "@trigger.dev/sdk";

const slack = new WebClient(process.env.SLACK_BOT_TOKEN);

export type Alert = { channel: string; title: string; body: string; severity: "info" | "warning" | "critical" };

const ICONS: Record<Alert["severity"], string> = {
  info: ":information_source:",
  warning: ":warning:",
  critical: ":rotating_light:",
};

export async function notifyChannel(alert: Alert) {
  logger.info("Posting Slack alert", { channel: alert.channel, severity: alert.severity });
  const result = await slack.chat.postMessage({
    channel: alert.channel,
    text: `${ICONS[alert.severity]} *${alert.title}*\n${alert.body}`,
  });
  if (!result.ok) {
    throw new Error(`Slack refused the message: ${result.error}`);
  }
  return result.ts;
}
