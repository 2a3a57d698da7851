import { Client, TravelMode } from "@googlemaps/google-maps-services-js";

const maps = new Client({});

export type Stop = { orderId: string; address: string };

export async function travelMinutes(origins: string[], destinations: string[]): Promise<number[][]> {
  const response = await maps.distancematrix({
    params: {
      origins,
      destinations,
      mode: TravelMode.driving,
      key: process.env.GOOGLE_MAPS_KEY!,
    },
  });
  return response.data.rows.map((row) => row.elements.map((el) => Math.round(el.duration.value / 60)));
}

// Greedy nearest-neighbour ordering; good enough for a day of 6-10 stops.
export function orderStops(start: number, matrix: number[][]): number[] {
  const visited = new Set([start]);
  const order = [start];
  while (visited.size < matrix.length) {
    const last = order[order.length - 1];
    let best = -1;
    for (let i = 0; i < matrix.length; i++) {
      if (!visited.has(i) && (best === -1 || matrix[last][i] < matrix[last][best])) {
        best = i;
      }
    }
    visited.add(best);
    order.push(best);
  }
  return order;
}
