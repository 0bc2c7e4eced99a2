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
  /** Set when a time budget (ms) chose the schedule: see TimeBudgetUsed. */
  timeBudget?: TimeBudgetUsed;
}

/** What the time-budget dial did: the budget, the chosen point's predicted time, and the device calibration behind it. */
export interface TimeBudgetUsed {
  /** The budget asked for, in ms. */
  requested: number;
  /** Predicted ms of the schedule that ran (the result's `ms` is the measured time). */
  predictedMs: number;
  /** The budget is below the fastest schedule's prediction; the fastest ran instead. */
  exceeded: boolean;
  /** The smallest budget this device can meet (the fastest schedule's prediction). */
  lowestMs: number;
  /** Where the pass costs came from: measured by this request, read from IndexedDB, or held in memory. */
  calibration: 'measured' | 'stored' | 'memory';
  /** ms this request spent measuring the device (0 unless `calibration` is `measured`). */
  calibrationMs: number;
  /** Every point of the front with its predicted ms on this device. */
  points: Array<{ name: string; predictedMs: number; fid: number }>;
}

/** A request that was served, but not as asked (non-fatal: the result still comes). */
export interface Notice {
  type: 'budget-exceeded' | 'time-budget-exceeded';
  message: string;
}
