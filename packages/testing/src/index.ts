export * from "./eventually";
