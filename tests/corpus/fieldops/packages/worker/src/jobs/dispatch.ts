import { logger, queue, schedules, task } from "@trigger.dev/sdk";
import type { WorkOrder } from "@fieldops/core";
import { orderStops, travelMinutes, type Stop } from "../lib/geo";
import { technicianRoster, saveRoute } from "../lib/roster";

// Google's distance matrix allows a limited number of elements per second.
const mapsQueue = queue({ name: "maps-api", concurrencyLimit: 4 }); // must-not: queue-concurrency-deprecated

export const assignWorkOrder = task({
  id: "assign-work-order",
  queue: mapsQueue,
  run: async (order: WorkOrder) => {
    const technicians = (await technicianRoster()).filter((t) => t.skills.includes(order.skill));
    if (technicians.length === 0) {
      logger.warn("No technician has the skill", { order: order.id, skill: order.skill });
      return { assigned: null };
    }
    const [minutes] = await travelMinutes([order.address], technicians.map((t) => t.homeBase));
    const best = minutes.indexOf(Math.min(...minutes));
    logger.info("Work order assigned", { order: order.id, technician: technicians[best].id });
    return { assigned: technicians[best].id, travelMinutes: minutes[best] };
  },
});

export const computeRoute = task({
  id: "compute-route",
  queue: mapsQueue,
  run: async (payload: { technicianId: string; homeBase: string; stops: Stop[] }) => {
    const places = [payload.homeBase, ...payload.stops.map((s) => s.address)];
    const matrix = await travelMinutes(places, places);
    const order = orderStops(0, matrix).slice(1).map((i) => payload.stops[i - 1].orderId);
    await saveRoute(payload.technicianId, order);
    logger.info("Route computed", { technician: payload.technicianId, stops: order.length });
    return { order };
  },
});

// Technicians start at 7:00 local time; routes must be ready two hours before.
export const optimizeDailyRoutes = schedules.task({ // must-not: task-no-concurrency-limit
  id: "optimize-daily-routes",
  cron: "0 5 * * 1-6", // expect: schedule-no-timezone
  run: async () => {
    const roster = await technicianRoster();
    logger.info("Optimizing routes", { technicians: roster.length });
    for (const technician of roster) {
      if (technician.stops.length < 2) continue;
      await computeRoute.trigger({ // expect: trigger-in-loop
        technicianId: technician.id,
        homeBase: technician.homeBase,
        stops: technician.stops,
      });
    }
  },
});
