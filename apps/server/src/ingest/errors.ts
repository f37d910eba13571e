/**
 * Errors the ingest port raises, with a stable `code`: on the ingest thread they cross the port as
 * data ({ code, message, ... }) and are rebuilt from the code, so renaming a class breaks nothing.
 */
export type IngestErrorCode = "NOT_LEADER";

/** Ops actions drive the router, which only the leader runs: 409 names the replica to ask instead. */
export class NotLeaderError extends Error {
  override readonly name = "NotLeaderError";
  readonly code = "NOT_LEADER" satisfies IngestErrorCode;
  readonly retryable = true;
  readonly statusCode = 409;

  constructor(readonly leaderReplicaId: string | null) {
    super(
      leaderReplicaId === null
        ? "This replica does not lead and no leader is known yet; retry shortly"
        : `This replica does not lead; send ops calls to the leader (replica ${leaderReplicaId})`,
    );
  }
}
