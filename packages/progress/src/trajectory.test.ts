import { describe, expect, it } from 'vitest';
import type { ProgressTarget } from './schemas.js';
import { progressAgainstTrajectory, trajectoryFor, trajectoryValueAt } from './trajectory.js';

// SAC: baseline 14.5 per 1,000 for 2007/08 (so at 31 Mar 2008), target 13.7 by 31 Mar 2009.
const sac: ProgressTarget = {
  kind: 'value',
  value: 13.7,
  period: { start: '2008-04-01', end: '2009-03-31' },
  baseline: { value: 14.5, period: { start: '2007-04-01', end: '2008-03-31' } },
};

describe('the trajectory from baseline to target', () => {
  const line = trajectoryFor(sac);

  it('runs from the end of the baseline period to the end of the target period', () => {
    expect(line).toEqual({ baseline: { value: 14.5, date: '2008-03-31' }, target: { value: 13.7, date: '2009-03-31' } });
  });

  it('is a straight line in days', () => {
    if (line === null) throw new Error('expected a trajectory');
    // 31 Mar 2008 → 31 Mar 2009 = 365 days; the line falls 0.8 over them.
    // 30 Sep 2008 is 183 days in (30+31+30+31+31+30): 14.5 − 0.8 × 183/365 = 14.5 − 0.401096 = 14.098904
    expect(trajectoryValueAt(line, '2008-09-30')).toBeCloseTo(14.098904, 6);
    // 31 Dec 2008 is 275 days in: 14.5 − 0.8 × 275/365 = 14.5 − 0.602740 = 13.897260
    expect(trajectoryValueAt(line, '2008-12-31')).toBeCloseTo(13.89726, 5);
    expect(trajectoryValueAt(line, '2009-03-31')).toBe(13.7);
  });

  it('is not extended beyond its ends', () => {
    if (line === null) throw new Error('expected a trajectory');
    expect(trajectoryValueAt(line, '2007-12-31')).toBe(14.5);
    expect(trajectoryValueAt(line, '2010-03-31')).toBe(13.7);
  });

  it('needs a baseline (from the target or standing in) and a value target', () => {
    const { baseline, ...noBaseline } = sac;
    expect(trajectoryFor(noBaseline as ProgressTarget)).toBeNull();
    expect(trajectoryFor(noBaseline as ProgressTarget, baseline)).toEqual(line);
    expect(trajectoryFor({ kind: 'direction', direction: 'reduce', period: sac.period, baseline })).toBeNull();
  });
});

describe('progress against the trajectory', () => {
  const line = trajectoryFor(sac);
  if (line === null) throw new Error('expected a trajectory');

  it('is behind when a lower-is-better value is above the line', () => {
    // 14.3014 − 14.098904 = 0.202496 behind; 0.202496 / 14.098904 = 1.436%
    const progress = progressAgainstTrajectory(line, 14.3014, '2008-09-30', 'down');
    expect(progress.expected).toBeCloseTo(14.098904, 6);
    expect(progress.worseBy).toBeCloseTo(0.202496, 6);
    expect(progress.relative).toBeCloseTo(0.01436, 5);
    expect(progress.onTrack).toBe(false);
  });

  it('is on track at or better than the line, whichever way is better', () => {
    expect(progressAgainstTrajectory(line, 14, '2008-09-30', 'down').onTrack).toBe(true);
    const rising = { baseline: { value: 50, date: '2008-03-31' }, target: { value: 60, date: '2009-03-31' } };
    // halfway-ish at 30 Sep 2008: 50 + 10 × 183/365 = 55.0137; 56 is ahead, 54 behind by 1.0137
    expect(progressAgainstTrajectory(rising, 56, '2008-09-30', 'up').onTrack).toBe(true);
    expect(progressAgainstTrajectory(rising, 54, '2008-09-30', 'up').worseBy).toBeCloseTo(1.0137, 4);
  });
});
