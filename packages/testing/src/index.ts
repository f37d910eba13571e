export * from "./eventually";
export * from "./pg-cluster";
export * from "./seeded-random";
export * from "./tcp-proxy";
export * from "./throughout";
