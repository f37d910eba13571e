import { Registry } from "prom-client";

/** The one registry every module registers its metrics on; /metrics serialises it. */
export const registry = new Registry();
