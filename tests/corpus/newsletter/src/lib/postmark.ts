import { ServerClient } from "postmark";

export const postmark = new ServerClient(process.env.POSTMARK_SERVER_TOKEN ?? "");

export type Subscriber = { id: string; email: string; firstName?: string };

export async function subscribersOf(listId: string): Promise<Subscriber[]> {
  const response = await fetch(`https://api.letterbox.email/lists/${listId}/subscribers?status=active`, {
    headers: { authorization: `Bearer ${process.env.LETTERBOX_API_TOKEN ?? ""}` },
  });
  if (!response.ok) throw new Error(`Subscriber API answered ${response.status}`);
  return (await response.json()) as Subscriber[];
}
