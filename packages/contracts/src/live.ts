import { z } from "zod";
import { sourceNameSchema } from "./provenance";
import { routerStateSchema } from "./router-state";

/**
 * What the hub publishes, as every transport carries it (/ws, SignalR, Socket.IO) and the bus hands
 * from ingest to the realtime replicas. One home, so the server and the web app cannot drift apart.
 */

/** What a subscriber sees as `type`; one per channel kind, plus `indicator` on analytics channels. */
export const publicationTypeSchema = z.enum(["tick", "quote", "bar", "indicator", "status"]);
export type PublicationType = z.infer<typeof publicationTypeSchema>;

/** One indicator value set for a symbol's minute (EMA, BB, VWAP, MACD, RSI ...). */
export const indicatorUpdateSchema = z.object({
  symbol: z.string(),
  minute: z.string(),
  values: z.record(z.string(), z.number().nullable()),
});
export type IndicatorUpdate = z.infer<typeof indicatorUpdateSchema>;

/** Router state and provenance, published on the `status` channel whenever either changes. */
export const statusMessageSchema = z.object({
  state: routerStateSchema,
  activeSource: sourceNameSchema.nullable(),
  delayed: z.boolean(),
  reason: z.string().nullable(),
  /** Epoch ms of the transition. */
  changedAt: z.number(),
});
export type StatusMessage = z.infer<typeof statusMessageSchema>;

/**
 * The envelope every publication travels in (docs/ws-protocol.md): numbered within its channel
 * (`offset`) inside a history generation (`epoch`), stamped with `publishedAt` so lag can be measured
 * at every hop. `data` is the record its `type` names.
 */
export const liveEnvelopeSchema = z.object({
  type: publicationTypeSchema,
  channel: z.string(),
  offset: z.number().int().nonnegative(),
  epoch: z.string(),
  publishedAt: z.number(),
  data: z.unknown(),
});
export type LiveEnvelope = z.infer<typeof liveEnvelopeSchema>;
