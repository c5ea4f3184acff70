/**
 * Rate-limit pauses per workspace and Web API method, for one delivery job in one process.
 *
 * Slack's limits are per workspace and per method: a 429 with Retry-After for chat.postMessage in workspace A says
 * nothing about workspace B, nor about A's users.info. So when a send in A is refused, A's further calls of that
 * method wait until the Retry-After has passed (every run of A, not only the one refused: they would be refused
 * too), while B goes on. Never a global pause.
 *
 * Times are the caller's clock (the protocol's injected clock), in epoch milliseconds. An entry is dropped once
 * its time has passed, so the map holds only the workspaces paused right now.
 */
export class WorkspaceGates {
  private readonly pausedUntil = new Map<string, number>();

  private static key(teamId: string | null, method: string): string {
    return `${teamId ?? ''}\u0000${method}`;
  }

  /** Pause `teamId`'s calls of `method` until `untilMs` (a later pause already set stands). */
  pause(teamId: string | null, method: string, untilMs: number, nowMs: number): void {
    this.prune(nowMs);
    const key = WorkspaceGates.key(teamId, method);
    const current = this.pausedUntil.get(key) ?? 0;
    if (untilMs > current && untilMs > nowMs) this.pausedUntil.set(key, untilMs);
  }

  /** Until when `teamId`'s calls of `method` are paused; 0 when they are not. */
  until(teamId: string | null, method: string, nowMs: number): number {
    const key = WorkspaceGates.key(teamId, method);
    const until = this.pausedUntil.get(key);
    if (until === undefined) return 0;
    if (until <= nowMs) {
      this.pausedUntil.delete(key);
      return 0;
    }
    return until;
  }

  /** Workspace and method pairs paused now (metrics, logs). */
  size(nowMs: number): number {
    this.prune(nowMs);
    return this.pausedUntil.size;
  }

  private prune(nowMs: number): void {
    for (const [key, until] of this.pausedUntil) if (until <= nowMs) this.pausedUntil.delete(key);
  }
}
