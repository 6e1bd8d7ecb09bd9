export {
  checkPeriodFor,
  describePeriod,
  financialYear,
  financialYearLabel,
  financialYearStartYear,
  isCalendarMonth,
  isFinancialQuarter,
  isFinancialYear,
  isTranche,
  type PeriodCheck,
  ukDate,
  wholeMonths,
} from './periods.js';
