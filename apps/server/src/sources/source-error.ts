/**
 * The base of every upstream adapter's errors (Alpaca, Yahoo): each says whether retrying can help,
 * which is what the router and the sources' back-off read. Venue details (a stream code, an HTTP
 * status) stay on the venue's subclasses.
 */
export abstract class SourceError extends Error {
  abstract readonly retryable: boolean;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    // The class's own name (`AlpacaSlowClientError`), set once here instead of restated by each class.
    this.name = new.target.name;
  }
}
