export * from "./eventually";
export * from "./pg-cluster";
export * from "./throughout";
