/** What each phase hands back to run.ts: figures to print and the reasons it failed (none: PASS). */
export interface PhaseResult {
  name: string;
  lines: string[];
  failures: string[];
}
