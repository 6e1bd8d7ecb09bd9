import type { Polarity } from '@beacon/catalogue';
import { differenceInCalendarDays } from 'date-fns';
import { day } from './calendar.js';
import type { ProgressTarget, Trajectory, TrajectoryProgress } from './schemas.js';

/**
 * The trajectory of a value target (method 3 of the spec): a straight line from the baseline
 * (its value at the end of the baseline period, e.g. the 2007/08 outturn at 31 March 2008)
 * to the target (its value at the end of the target period, e.g. 31 March 2009).
 * A target without a baseline has no trajectory: it is rated against its own value.
 * `baseline` stands in when the target has none (the projector takes it from readings).
 */
export function trajectoryFor(target: ProgressTarget, baseline?: ProgressTarget['baseline'] | null): Trajectory | null {
  const from = target.baseline ?? baseline ?? undefined;
  if (target.kind !== 'value' || from === undefined) return null;
  return { baseline: { value: from.value, date: from.period.end }, target: { value: target.value, date: target.period.end } };
}

/**
 * Where the trajectory stands at `date`, linear in days. Before the baseline date it is the
 * baseline value, after the target date the target value (the line is not extended).
 */
export function trajectoryValueAt(trajectory: Trajectory, date: string): number {
  const total = differenceInCalendarDays(day(trajectory.target.date), day(trajectory.baseline.date));
  if (total <= 0) return trajectory.target.value;
  const elapsed = Math.min(total, Math.max(0, differenceInCalendarDays(day(date), day(trajectory.baseline.date))));
  return trajectory.baseline.value + ((trajectory.target.value - trajectory.baseline.value) * elapsed) / total;
}

/** Progress: where a (rolling) value stands against the trajectory at `date`, polarity-aware. */
export function progressAgainstTrajectory(trajectory: Trajectory, value: number, date: string, polarity: Polarity): TrajectoryProgress {
  const expected = trajectoryValueAt(trajectory, date);
  const worseBy = polarity === 'down' ? value - expected : expected - value;
  return {
    date,
    value,
    expected,
    worseBy,
    relative: expected === 0 ? null : worseBy / Math.abs(expected),
    onTrack: worseBy <= 1e-9 * Math.max(1, Math.abs(expected)),
  };
}
