// What a generation actually ran as, next to what was asked: the schedule used and the notices
// for requests served but not as asked. Pure types with no GPU imports, so the package's public
// typings can include them without pulling in WebGPU's.

/** The schedule a request actually ran with: what the user asked for may not be what fits. */
export interface ScheduleUsed {
  /** `baseline`, `magnets`, `custom` (widths given), or the name of the front point a budget chose. */
  name: string;
  /** One width per step. */
  widths: number[];
  /** KV cache on incremental steps. */
  cache: boolean;
  /** Set when a budget chose the schedule: what was asked, the chosen schedule's measured cost, and whether it exceeds the budget. */
  budget?: { requested: number; fraction: number; exceeded: boolean };
}

/** A request that was served, but not as asked (non-fatal: the result still comes). */
export interface Notice {
  type: 'budget-exceeded';
  message: string;
}
