// The page's shared session: every <mgnt-canvas> joins one hub, so a page of twelve elements runs
// one worker, one GPU device and one copy of each model. Reference-counted through the leases:
// the last element to leave destroys the host (worker, device, models), and the next one to
// join opens a new one.
import type { HostStats } from '../pipeline/host';
import type { DestroyReport } from '../pipeline/session';
import { openHost } from './client';
import { Hub } from './hub';
import type { Lease, LeaseOptions } from './lease';

/** Numbers for tests, the benchmark and diagnostics. */
export const pageDiagnostics = {
  /** Shared hosts open now (0 or 1; 2 for a moment while a closing one finishes). */
  openSessions: 0,
  /** Shared hosts opened over the page's life. */
  hostsOpened: 0,
  /** The GPU pool of the last host destroyed: live bytes after vs before loading. */
  lastDestroy: null as DestroyReport | null,
};

let shared: Hub | null = null;

/** Callers of the shared host now (elements that have started loading). */
export function pageLeases(): number {
  return shared && !shared.closed ? shared.size : 0;
}

/** Devices and GPU bytes of the shared host, or null when none is open. */
export function pageStats(): Promise<HostStats | null> {
  return shared && !shared.closed && !shared.failed ? shared.stats() : Promise.resolve(null);
}

/**
 * Joins the page's shared host, opening it for the first caller (`worker: false`, the first
 * caller's choice, keeps it on the main thread). The lease must be destroyed when done.
 */
export function joinPage(opts: LeaseOptions & { worker?: boolean } = {}): Lease {
  // A hub that could not open (no WebGPU) is not handed out again: a later element tries anew.
  if (!shared || shared.closed || shared.failed) {
    const hub: Hub = new Hub(openHost({ worker: opts.worker, onQuota: (url, message) => hub.quota(url, message) }), (report) => {
      pageDiagnostics.openSessions--;
      pageDiagnostics.lastDestroy = report;
      if (shared === hub) shared = null;
    });
    pageDiagnostics.openSessions++;
    pageDiagnostics.hostsOpened++;
    shared = hub;
  }
  return shared.join({ onQuota: opts.onQuota });
}
