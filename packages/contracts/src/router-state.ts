import { z } from "zod";

export const routerStateSchema = z.enum(["PRIMARY_ACTIVE", "FALLBACK_ACTIVE", "BOTH_UNAVAILABLE"]);
export type RouterState = z.infer<typeof routerStateSchema>;

/** Who caused a transition: the router itself, or an operator (JWT subject) through the ops API. */
export const sourceEventActorSchema = z.string().min(1).max(200);
