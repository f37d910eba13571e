import { Counter, Gauge, Histogram } from "prom-client";
import { registry } from "../../metrics/registry";

/** Defined once per process (prom-client rejects duplicate names); every client instance shares them. */
export const wsLagMs = new Histogram({
  name: "ws_lag_ms",
  help: "Receive time minus event time of upstream ticks, in milliseconds",
  labelNames: ["source"] as const,
  buckets: [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 15_000, 60_000, 900_000, 1_800_000],
  registers: [registry],
});

export const alpacaStreamErrors = new Counter({
  name: "alpaca_stream_errors_total",
  help: "Error messages from the Alpaca stream by code (http_429 = upgrade refused)",
  labelNames: ["code"] as const,
  registers: [registry],
});

export const alpacaReconnects = new Counter({
  name: "alpaca_reconnects_total",
  help: "Connection attempts after the first one",
  registers: [registry],
});

export const alpacaConfigurationError = new Gauge({
  name: "alpaca_configuration_error",
  help: "1 while the Alpaca client has stopped retrying because of a configuration error (bad key, feed not in plan)",
  registers: [registry],
});

export const alpacaConnected = new Gauge({
  name: "alpaca_stream_up",
  help: "1 while the Alpaca stream is authenticated and subscribed",
  registers: [registry],
});

export const alpacaMessages = new Counter({
  name: "alpaca_messages_total",
  help: "Data elements received from the Alpaca stream",
  registers: [registry],
});

export const alpacaUnknownMessages = new Counter({
  name: "alpaca_unknown_messages_total",
  help: "Stream elements with an unknown T, skipped",
  registers: [registry],
});

export const alpacaMalformedMessages = new Counter({
  name: "alpaca_malformed_messages_total",
  help: "Unparseable stream frames or elements missing required fields",
  registers: [registry],
});

export const alpacaWatchdogTrips = new Counter({
  name: "alpaca_watchdog_trips_total",
  help: "Sessions dropped because no data arrived within MESSAGE_TIMEOUT_SECONDS or a pong was missed",
  labelNames: ["kind"] as const,
  registers: [registry],
});

export const alpacaRefusedSymbols = new Gauge({
  name: "alpaca_refused_symbols",
  help: "Desired symbols the stream refused (405 symbol limit)",
  registers: [registry],
});

export const alpacaRestRequests = new Counter({
  name: "alpaca_rest_requests_total",
  help: "Alpaca REST requests by endpoint and HTTP status (0 = no answer)",
  labelNames: ["endpoint", "status"] as const,
  registers: [registry],
});

export const alpacaOversizedFrames = new Counter({
  name: "alpaca_oversized_frames_total",
  help: "Upstream frames over the stream's frame limit (the session is dropped and reconnected)",
  registers: [registry],
});

export const alpacaRejectedElements = new Counter({
  name: "alpaca_rejected_elements_total",
  help: "Stream elements refused before they reach storage or metric labels, by reason",
  labelNames: ["reason"] as const,
  registers: [registry],
});
