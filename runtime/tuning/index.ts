/** The tuner's public API. */
export { recommend } from './recommend';
export {
  DEFAULT_CATALOGUE,
  type InstanceOffer,
  allowedOffers,
  cheapestPacking,
  packOn,
  podsPerNode,
} from './catalogue';
export { DEFAULT_BOUNDS } from './context';
export type {
  Prediction,
  Recommendation,
  StageTiming,
  TuningBounds,
  TuningChange,
  TuningInput,
  TuningOptions,
  TuningRun,
} from './types';
