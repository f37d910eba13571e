import { loadAuthConfig } from "@/config";
import { safeReturnTo } from "@/server/auth/oidc";

export const dynamic = "force-dynamic";

const REASONS: Record<string, string> = {
  expired: "Your session expired. Sign in again to continue.",
  signed_out: "You are signed out.",
  failed: "Sign-in did not complete. Try again.",
};

/** The way in: a link to the identity provider (OIDC), or why there is none (a proxy signs people in). */
export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | undefined>>;
}) {
  const params = await searchParams;
  const auth = loadAuthConfig();
  const returnTo = safeReturnTo(params.returnTo ?? null);
  const reason = params.reason === undefined ? undefined : REASONS[params.reason];
  return (
    <section className="panel" data-testid="sign-in">
      <h1>Sign in to Torghut</h1>
      {reason !== undefined ? (
        <div
          className="banner banner-info"
          role="status"
          data-testid="sign-in-reason"
          data-reason={params.reason}
        >
          {reason}
        </div>
      ) : null}
      {auth.mode.kind === "oidc" ? (
        <a
          className="button"
          data-testid="sign-in-link"
          href={`/auth/sign-in?returnTo=${encodeURIComponent(returnTo)}`}
        >
          Sign in with your organisation&apos;s account
        </a>
      ) : auth.mode.kind === "proxy" ? (
        <p className="muted">
          Sign-in happens at the proxy in front of this app; reload the page through it.
        </p>
      ) : (
        <a href={returnTo}>Continue as the development operator</a>
      )}
    </section>
  );
}
