import { openai } from "@ai-sdk/openai";
import { logger, task } from "@trigger.dev/sdk";
import { generateObject } from "ai";
import { z } from "zod";
import { desk, loadTicket, TicketSnapshot } from "../lib/zendesk";

const Triage = z.object({
  priority: z.enum(["low", "normal", "high", "urgent"]),
  team: z.enum(["billing", "technical", "account", "sales"]),
  summary: z.string().max(280),
});

// Runs for every new ticket; Zendesk webhooks arrive in bursts after an outage.
export const triageTicket = task({ // expect: task-no-concurrency-limit
  id: "triage-ticket",
  run: async (payload: { ticketId: number }) => {
    const ticket = await loadTicket(payload.ticketId);
    const { object } = await generateObject({
      model: openai("gpt-4o-mini"),
      schema: Triage,
      prompt: `Classify this support ticket.\nSubject: ${ticket.subject}\n\n${ticket.description}`,
    });
    await desk.tickets.update(ticket.id, {
      ticket: { priority: object.priority, group_id: teamGroups[object.team], tags: [...ticket.tags, "ai-triaged"] },
    });
    logger.info("Ticket triaged", { ticket: ticket.id, ...object });
    if (object.priority === "urgent") {
      await escalate.trigger(new TicketSnapshot(ticket, new Date())); // expect: payload-class-instance
    }
    return object;
  },
  onFailure: async (payload, error, { ctx }) => { // expect: v3-hook-signature
    logger.error("Triage failed; ticket left for humans", { ticket: payload.ticketId, run: ctx.run.id, error });
  },
});

const teamGroups: Record<z.infer<typeof Triage>["team"], number> = {
  billing: 360001,
  technical: 360002,
  account: 360003,
  sales: 360004,
};

export const escalate = task({
  id: "escalate-ticket",
  run: async (snapshot: TicketSnapshot) => {
    logger.warn("Urgent ticket", { ticket: snapshot.ticket.id, subject: snapshot.ticket.subject });
    try {
      await fetch("https://events.pagerduty.com/v2/enqueue", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          routing_key: process.env.PAGERDUTY_ROUTING_KEY ?? "",
          event_action: "trigger",
          payload: { summary: snapshot.ticket.subject, severity: "critical", source: "helpdesk" },
        }),
      });
    } catch (error) { // expect: catch-without-rethrow
      logger.error("PagerDuty unreachable", { error });
    }
  },
});
