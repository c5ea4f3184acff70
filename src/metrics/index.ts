/**
 * The one answer to "totals for this team / rep / period": activities by type and outcome, deals won and lost,
 * revenue per currency (never added across currencies, except into the converted headline when the workspace has
 * exchange rates), win rate, average deal, revenue per activity and the weighted activity score. Every
 * board, summary, target and confirmation reads it. Aggregation happens in SQL; money ratios round half-up to the
 * currency's minor unit. Imports no feature: it takes what it needs of activity types structurally.
 */
export type { ActivityTypeKey, RevenueConversion, Span, SpanPair, Totals } from './types.js';
export { CONVERTED_SCALE, convertScaled, hasWeights, roundConverted, weightedScore } from './conversion.js';
export { toNumber, type Driven } from './driver.js';
export { addActivities, addDeals, compareCurrencies, emptyTotalsInput, totalsFrom, type TotalsInput } from './totals.js';
export { median, medianBigint, rankWithTies } from './ranking.js';
export { activityGroupsQuery, boardParams, dealGroupsQuery, loadTeamGroups, type ActivityGroup, type DealGroup, type TeamGroups } from './team-groups.js';
export { loadTeamMetrics, repMetrics, teamMetricsFromGroups, type RepMetrics, type TeamMetrics, type TeamMetricsInput } from './team.js';
export { addDealMix, dealMixesOf, dealMixFrom, emptyDealMixInput, type DealMix, type DealMixGroup, type KindTotals } from './deal-mix.js';
export {
  activitySums,
  activitySumSql,
  dealSums,
  loadOutcomeGroups,
  outcomesByType,
  type DealSums,
  type OutcomeGroup,
  type RepScope,
  type TypeOutcomes,
} from './rep.js';
export {
  conversionStagesOf,
  DEFAULT_CONVERSION_STAGES,
  funnelOf,
  loadStageCounts,
  medianFunnel,
  pooledFunnel,
  stageCountsQuery,
  sumStageCounts,
  type ConversionStage,
  type Funnel,
  type StageCountScope,
  type UserStageCounts,
} from './funnel.js';
export { loadDealEffort, loadDealEfforts, loadEffortMedians, type DealEffort, type EffortMedians } from './effort.js';
