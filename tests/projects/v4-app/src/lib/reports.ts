export type SalesRow = { region: string; amountInCents: number };

export async function loadSales(region: string, day: string): Promise<SalesRow[]> {
  const response = await fetch(`https://warehouse.example.com/sales/${region}/${day}`);
  if (!response.ok) {
    throw new Error(`sales query failed with ${response.status}`);
  }
  return (await response.json()) as SalesRow[];
}

export function totalOf(rows: SalesRow[]): number {
  return rows.reduce((sum, row) => sum + row.amountInCents, 0);
}
