export type * from "./api";
export { startSimulator, DEFAULT_KEY } from "./simulator";
