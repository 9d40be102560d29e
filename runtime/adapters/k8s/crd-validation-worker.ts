/**
 * The thread that validates rendered objects against a CRD (see crd-validation-thread.ts): the
 * SparkApplication CRD takes seconds to compile, which the event loop must not wait for.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadCrdValidator } from './crd-validator';

const port = parentPort!;
const { file, version } = workerData as { file: string; version: string };
const validator = loadCrdValidator(file, version);
port.on('message', ({ id, object }: { id: number; object: unknown }) => {
  port.postMessage({ id, errors: validator.errors(object) });
});
port.postMessage('ready');
