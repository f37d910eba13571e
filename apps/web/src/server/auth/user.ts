/** Who is signed in, as every part of the web app sees it. */
export type Role = "viewer" | "operator";

export interface User {
  /** Stable id: the provider's `sub`, the proxy's user, or `dev-operator`. */
  sub: string;
  name: string;
  email: string | null;
  role: Role;
  /** The development operator of `npm start`: every page says so. */
  development: boolean;
  /** Session id (random per sign-in; fixed for proxy and development users): CSRF tokens are bound to it. */
  sid: string;
}

export const DEV_OPERATOR: User = {
  sub: "dev-operator",
  name: "Development operator",
  email: null,
  role: "operator",
  development: true,
  sid: "development",
};
