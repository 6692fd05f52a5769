// When the server process exits: restart it after a crash, but never after a
// start that failed (the same command would fail again: five identical error
// toasts), and not more than MAX_RESTARTS times in WINDOW_MS.

export const MAX_RESTARTS = 3;
export const WINDOW_MS = 3 * 60_000;

export interface CloseDecision {
  restart: boolean;
  notify: boolean; // show `reason` to the user (a crash loop); a failed start is reported by the caller
  reason: string;
}

export class RestartPolicy {
  private running = false;
  private restarts: number[] = [];

  /** The client reached the running state (initialize answered). */
  started(): void {
    this.running = true;
  }

  closed(now: number): CloseDecision {
    if (!this.running) {
      return { restart: false, notify: false, reason: "the server exited before it was ready (start failed)" };
    }
    this.restarts = this.restarts.filter((t) => now - t < WINDOW_MS);
    if (this.restarts.length >= MAX_RESTARTS) {
      this.running = false;
      return {
        restart: false,
        notify: true,
        reason: `codemeld: the server crashed ${MAX_RESTARTS + 1} times in ${WINDOW_MS / 60_000} minutes and will not be restarted; see the codemeld output channel, then run "codemeld: Restart server".`,
      };
    }
    this.restarts.push(now);
    return { restart: true, notify: false, reason: "the server crashed; restarting it" };
  }
}
