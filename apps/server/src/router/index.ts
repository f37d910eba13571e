export { DataSourceRouter } from "./router";
export type { DataSourceRouterOptions, FallbackSource, RouterSettings } from "./ports";
export type {
  CrossSourceView,
  PrimaryGap,
  RouterSnapshot,
  RouterStatusEvent,
  TransitionRecord,
  TransitionRecorder,
} from "./snapshot";
export { routerSettingsFromConfig } from "./settings";
export {
  CrossSourceCheck,
  type CrossSourceCheckOptions,
  type FallbackPriceSampler,
} from "./cross-source-check";
