/**
 * Interleaved (paired) measurement: several trainers take their timed steps in turns, one step
 * each per round, so that a burst of load on a noisy machine (CPU steal on a shared VM lasts
 * seconds) slows every impl of the round alike instead of the one whose block of steps it hit.
 * The ratio of two impls is then best read round by round (`pairedRatio`).
 */
import type { StepRunner } from './measure.js';
import { median } from './stats.js';

/**
 * The order of round `round` among `n` impls: it starts at impl `round mod n` and wraps around,
 * so that no impl always runs first, or always right after the same one.
 *
 * @example
 * roundOrder(0, 3); // [0, 1, 2]
 * roundOrder(1, 3); // [1, 2, 0]
 * roundOrder(5, 3); // [2, 0, 1]
 */
export function roundOrder(round: number, n: number): number[] {
  return Array.from({ length: n }, (_, k) => (round + k) % n);
}

/** How one runner's interleaved measurement ended. */
export interface RoundsOutcome {
  /** The message of the step that failed (a throw, or a non-finite loss); absent when none did. */
  error?: string;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Measures `runners` together: each one's warm-up first (runner by runner, in order), then timed
 * steps in rounds: in round r every runner still `measuring` takes one timed step, in the order
 * `roundOrder(r, runners.length)` (runners done or failed are left out). Each runner keeps its
 * own counts and time budget; one whose step fails stops there (its outcome has `error`), the
 * others go on. Resolves once no runner is measuring.
 *
 * A runner takes a step in every round from round 0 until it stops, so its timed step j (in
 * `runner.timesMs`) was taken in round j: the times of two runners line up by index.
 */
export async function measureInRounds(runners: readonly StepRunner[]): Promise<RoundsOutcome[]> {
  const outcomes: RoundsOutcome[] = runners.map(() => ({}));
  for (const [i, runner] of runners.entries()) {
    try {
      await runner.warmUp();
    } catch (e) {
      outcomes[i]!.error = message(e);
    }
  }
  const active = (i: number) => outcomes[i]!.error === undefined && runners[i]!.measuring;
  for (let round = 0; ; round++) {
    const order = roundOrder(round, runners.length).filter(active);
    if (order.length === 0) break;
    for (const i of order) {
      try {
        await runners[i]!.timedStep();
      } catch (e) {
        outcomes[i]!.error = message(e);
      }
    }
  }
  return outcomes;
}

/**
 * The median over the rounds in which both ran of `timesMs[j] / referenceMs[j]`: an impl's time
 * relative to the reference's in the same round, so load that lasts a round cancels out. Arrays
 * are indexed by round (as `measureInRounds` leaves `timesMs`); rounds where the reference took
 * 0 ms (a clock too coarse for the step) are left out. Undefined when no round is left.
 *
 * @example
 * pairedRatio([10, 30, 20], [30, 30, 40]); // 2 (ratios 3, 1, 2), though the medians give 30 / 20 = 1.5
 */
export function pairedRatio(
  referenceMs: readonly number[],
  timesMs: readonly number[],
): number | undefined {
  const ratios: number[] = [];
  for (let j = 0; j < Math.min(referenceMs.length, timesMs.length); j++) {
    if (referenceMs[j]! > 0) ratios.push(timesMs[j]! / referenceMs[j]!);
  }
  return ratios.length === 0 ? undefined : median(ratios);
}
