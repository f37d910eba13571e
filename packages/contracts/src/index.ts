export * from "./symbols";
export * from "./provenance";
export * from "./router-state";
export * from "./market-data";
export * from "./time";
export * from "./market-status";
export * from "./session-summary";
export * from "./ops-console";
