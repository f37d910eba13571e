import { z } from "zod";

/**
 * The hub's publication envelope (docs/ws-protocol.md), parsed permissively. The one schema of the
 * live feed not yet in @torghut/contracts: its home there (the envelope the server sends) is being
 * moved from apps/server/src/realtime; this file goes when it lands.
 */
export const publicationSchema = z.object({
  type: z.string(),
  channel: z.string(),
  offset: z.number().optional(),
  epoch: z.string().optional(),
  publishedAt: z.number().optional(),
  data: z.unknown(),
});
export type Publication = z.infer<typeof publicationSchema>;
