/** The ingest thread is starting, restarting or stopped: an ops call cannot reach the router now. */
export class IngestThreadUnavailableError extends Error {
  override readonly name = "IngestThreadUnavailableError";
  readonly retryable = true;
  readonly statusCode = 503;
}

/** A call to the ingest thread failed there, or got no answer in time. */
export class IngestThreadCallError extends Error {
  override readonly name = "IngestThreadCallError";
  readonly retryable: boolean;

  constructor(message: string, options: { retryable: boolean; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.retryable = options.retryable;
  }
}
