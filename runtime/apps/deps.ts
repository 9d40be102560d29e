/** What the application use cases need from the outside, shared by the service and its lifecycle. */
import type { Application } from '../domain/application';
import type { ApplicationConfig } from '../domain/config';
import type { Prediction, TuningChange } from '../domain/tuning-change';
import type { SparkBackend, StoredCluster, StoredJob, StoredTemplate } from '../domain/ports';

/** The back-end of a cluster, or undefined when the runtime has none for it. */
export type BackendResolver = (clusterId: string) => SparkBackend | undefined;

export interface TuningInput {
  cluster: StoredCluster;
  job: StoredJob;
  template?: StoredTemplate;
  /** What the submitter fixed; tuning must not change these (the merge guarantees it). */
  overrides: ApplicationConfig;
}

/** The tuning layer of the config merge, and the tuner's changes with their reasons. */
export interface TuningResult {
  tuning: ApplicationConfig;
  /** @default none */
  changes?: TuningChange[];
  /** What the tuner expects of the config with this layer. @default none */
  prediction?: Prediction;
}

/** The tuning layer of the config merge (template < tuning < job < overrides). */
export type TuningProvider = (input: TuningInput) => Promise<TuningResult | undefined>;

/** Called once per application after its terminal state is persisted (metrics, notifications). */
export type EndedHook = (app: Application) => Promise<void> | void;

export function toResolver(backends: Map<string, SparkBackend> | BackendResolver): BackendResolver {
  return typeof backends === 'function' ? backends : (clusterId) => backends.get(clusterId);
}
