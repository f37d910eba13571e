import type { Metadata } from "next";
import type { ReactNode } from "react";
import { connection } from "next/server";
import { DevOperatorBanner } from "@/components/shell/dev-banner";
import { Nav } from "@/components/shell/nav";
import { UserMenu } from "@/components/shell/user-menu";
import { loadAuthConfig, publicSettings } from "@/config";
import { CSRF_META } from "@/lib/ops-client";
import { currentUser } from "@/server/auth/current-user";
import "./globals.css";

export const metadata: Metadata = {
  title: "Torghut",
  description: "Live US equities: watchlist, technical-analysis visuals and data-source health",
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  // The settings of the server that answers, not of the build (the prerendered 404 page included).
  await connection();
  const { visualsEnabled } = publicSettings();
  const signedIn = await currentUser();
  const canSignOut = loadAuthConfig().mode.kind === "oidc";
  return (
    <html lang="en">
      <head>{signedIn !== null ? <meta name={CSRF_META} content={signedIn.csrf} /> : null}</head>
      <body>
        <Nav visualsEnabled={visualsEnabled}>
          {signedIn !== null ? (
            <UserMenu user={signedIn.user} csrf={signedIn.csrf} canSignOut={canSignOut} />
          ) : null}
        </Nav>
        {signedIn?.user.development ? <DevOperatorBanner /> : null}
        <main>{children}</main>
      </body>
    </html>
  );
}
