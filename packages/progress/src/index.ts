export { latestExpectedEnd, multiplierOf, populationYear } from './calendar.js';
export { formatValue } from './format.js';
export {
  byarInterval,
  countInterval,
  intervalsOverlap,
  type Limits,
  proportionInterval,
  significantlyDifferent,
  wilsonInterval,
  Z95,
} from './intervals.js';
export { intervalWords, type RagInput, ragAgainstTarget } from './rag.js';
export { type MonthlySums, populationFor, type RollingValueInput, rollingValue, sumMonths } from './rolling.js';
export { type MeasureStatus, type RollUpInput, rollUp, rollUpGroups } from './rollup.js';
export * from './schemas.js';
export { progressAgainstTrajectory, trajectoryFor, trajectoryValueAt } from './trajectory.js';
export { directionOfTravel, type TravelInput } from './travel.js';
export { financialYearToDate, forecastOutturn, type YearToDateInput } from './year-to-date.js';
