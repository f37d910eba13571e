export * from "./eventually";
export * from "./pg-cluster";
