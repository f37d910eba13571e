import { Counter, Gauge, Histogram } from "prom-client";
import { registry } from "../metrics/registry";

// Defined once per process (prom-client rejects duplicate names); every hub instance shares them.
export const realtimeMetrics = {
  connections: new Gauge({
    name: "torghut_realtime_connections",
    help: "Open realtime connections by transport",
    labelNames: ["transport"] as const,
    registers: [registry],
  }),
  published: new Counter({
    name: "torghut_realtime_published_total",
    help: "Publications that left the hub (after the 20/s per channel throttle)",
    registers: [registry],
  }),
  throttled: new Counter({
    name: "torghut_realtime_throttled_total",
    help: "Updates superseded by a newer one inside the per-channel throttle interval",
    registers: [registry],
  }),
  deliveries: new Counter({
    name: "torghut_realtime_deliveries_total",
    help: "Frames handed to client transports",
    registers: [registry],
  }),
  conflated: new Counter({
    name: "torghut_realtime_conflated_messages_total",
    help: "Queued frames dropped because a newer frame for the same channel was queued behind them",
    registers: [registry],
  }),
  slowClientsClosed: new Counter({
    name: "torghut_realtime_slow_clients_closed_total",
    help: "Clients closed with 1008 policy violation because they stayed behind",
    registers: [registry],
  }),
  rejectedConnections: new Counter({
    name: "torghut_realtime_rejected_connections_total",
    help: "Connection attempts refused before the WebSocket handshake",
    labelNames: ["transport", "reason"] as const,
    registers: [registry],
  }),
  fanoutSeconds: new Histogram({
    name: "torghut_realtime_fanout_seconds",
    help: "Time from a publication leaving the throttle until the hub's flush has passed its last subscriber (frame handed to the transport, or left queued for a client that is behind)",
    buckets: [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25],
    registers: [registry],
  }),
};

// Each transport's count exists from the start at 0: the connections panel then shows 0 clients
// rather than no data. The names are the transports' `transport` fields.
for (const transport of ["ws", "signalr", "socketio"]) realtimeMetrics.connections.labels(transport).set(0);
