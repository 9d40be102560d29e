/**
 * The fake back-end of the Airflow tests, scripted by job id as the example DAGs name their jobs:
 * `spark-pi` completes, `broken-etl` fails with a driver log ending in DRIVER_ERROR, and any other
 * job runs until it is killed. No JVM starts; the runtime's API, store and state machine are real.
 */
import type { Application } from '../../runtime/domain/application';
import type { ApplicationConfig } from '../../runtime/domain/config';
import { FakeBackend } from '../support/fake-backend';

export const DRIVER_ERROR = 'ZeroDivisionError: division by zero (broken_etl.py line 12)';
export const FAILURE_REASON = 'the driver exited with code 1';
/** How long a scripted run stays RUNNING before it ends: a few polls of the DAGs' 1 s interval. */
const RUN_MILLIS = 1_500;

export class ScriptedBackend extends FakeBackend {
  override async submit(app: Application, config: ApplicationConfig): Promise<{ backendRef: string }> {
    const submitted = await super.submit(app, config);
    setTimeout(() => {
      this.emit(app.id, { state: 'RUNNING' });
      if (app.jobId === 'spark-pi') setTimeout(() => this.emit(app.id, { state: 'COMPLETED' }), RUN_MILLIS);
      if (app.jobId === 'broken-etl') {
        this.logs.set(app.id, ['Traceback (most recent call last):', DRIVER_ERROR]);
        setTimeout(() => this.emit(app.id, { state: 'FAILED', reason: FAILURE_REASON }), RUN_MILLIS);
      }
    }, 50);
    return submitted;
  }
}
