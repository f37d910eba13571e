import { loadAuthConfig, WebConfigError } from "@/config";

/**
 * Runs once when the server starts: without a way to sign people in (an identity provider, an
 * authenticating proxy, or the development operator where that is allowed) the app refuses to start
 * rather than serve market data and ops actions to whoever reaches it.
 */
export function register(): void {
  try {
    const { mode } = loadAuthConfig();
    console.info(
      `[auth] sign-in: ${mode.kind === "development" ? "development operator (everyone is an operator)" : mode.kind}`,
    );
  } catch (error) {
    if (!(error instanceof WebConfigError)) throw error;
    console.error(`[torghut-web] ${error.message}`);
    process.exit(78); // EX_CONFIG
  }
}
