export async function resize(url: string, width: number): Promise<string> {
  const response = await fetch(`https://images.example.com/resize?width=${width}`, {
    method: "POST",
    body: JSON.stringify({ url }),
  });
  if (!response.ok) {
    throw new Error(`resize failed with ${response.status}`);
  }
  const { resizedUrl } = (await response.json()) as { resizedUrl: string };
  return resizedUrl;
}
