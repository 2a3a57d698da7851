import zendesk from "node-zendesk";

export const desk = zendesk.createClient({
  username: process.env.ZENDESK_EMAIL!,
  token: process.env.ZENDESK_TOKEN!,
  subdomain: "acmehelp",
});

export type Ticket = { id: number; subject: string; description: string; requesterEmail: string; tags: string[] };

export class TicketSnapshot {
  constructor(
    public readonly ticket: Ticket,
    public readonly takenAt: Date,
  ) {}

  get age() {
    return Date.now() - this.takenAt.getTime();
  }
}

export async function loadTicket(id: number): Promise<Ticket> {
  const { result } = await desk.tickets.show(id);
  return {
    id: result.id,
    subject: result.subject,
    description: result.description,
    requesterEmail: result.via?.source?.from?.address ?? "",
    tags: result.tags ?? [],
  };
}
