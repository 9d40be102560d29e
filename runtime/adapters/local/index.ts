/** The `local` Spark back-end: spark-submit on this machine. */
export { LocalSparkBackend, type LocalSparkBackendOptions } from './local-spark-backend';
export { type LocalBackendOptions, localBackend, LocalClusterSettings, type LocalSparkInstall } from './plugin';
export { FILE_EXPECTED, resolveAppFile } from './app-file';
export { findEventLog, localAppPaths, type LocalAppPaths, type LocalAppRecord } from './app-files';
export {
  buildSparkSubmitCommand,
  chooseMaster,
  sparkBinding,
  type SparkSubmitCommand,
  type SparkSubmitInput,
} from './spark-submit-command';
