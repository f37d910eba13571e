/** On every page while the development operator is signed in (`npm start` with no identity provider). */
export function DevOperatorBanner() {
  return (
    <div className="banner banner-warn" role="status" data-testid="dev-operator-banner">
      Development sign-in: no identity provider is configured, so everyone here is signed in as an operator.
      Configure OpenID Connect or an authenticating proxy before anyone else can reach this app.
    </div>
  );
}
