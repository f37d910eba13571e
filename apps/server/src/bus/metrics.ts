import { Counter, Gauge } from "prom-client";
import { registry } from "../metrics/registry";

export const busPublished = new Counter({
  name: "torghut_bus_messages_published_total",
  help: "Messages this replica published on the market bus, by type",
  labelNames: ["type"] as const,
  registers: [registry],
});

export const busReceived = new Counter({
  name: "torghut_bus_messages_received_total",
  help: "Messages this replica received from the market bus, by type",
  labelNames: ["type"] as const,
  registers: [registry],
});

export const busDropped = new Counter({
  name: "torghut_bus_messages_dropped_total",
  help: "Bus messages dropped on receipt: undecodable envelope or a failing handler",
  labelNames: ["reason"] as const,
  registers: [registry],
});

export const busConnected = new Gauge({
  name: "torghut_bus_connected",
  help: "1 while the market bus connection is up (the in-process bus is always up)",
  labelNames: ["kind"] as const,
  registers: [registry],
});
