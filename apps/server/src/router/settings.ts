import type { ServerConfig } from "../config";
import type { RouterSettings } from "./ports";

/** The seed's setting names (RUNBOOK-005) mapped onto the router's millisecond settings. */
export function routerSettingsFromConfig(config: ServerConfig): RouterSettings {
  return {
    primaryEnabled: config.ENABLE_ALPACA_STREAMING,
    maxConsecutiveFailures: config.MAX_CONSECUTIVE_FAILURES,
    messageTimeoutMs: config.MESSAGE_TIMEOUT_SECONDS * 1000,
    fallbackActivationDelayMs: config.FALLBACK_ACTIVATION_DELAY_SECONDS * 1000,
    primaryRecoveryGraceMs: config.PRIMARY_RECOVERY_GRACE_PERIOD_SECONDS * 1000,
  };
}
