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
  wholeMonths,
} from './periods.js';
