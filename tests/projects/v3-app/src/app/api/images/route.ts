import { tasks } from "@trigger.dev/sdk/v3";
import type { resizeImage } from "../../../trigger/images";

export async function POST(request: Request): Promise<Response> {
  const { url } = (await request.json()) as { url: string };
  const handle = await tasks.trigger<typeof resizeImage>("resize-image", { url, width: 800 });
  return Response.json({ runId: handle.id });
}
