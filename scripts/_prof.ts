import { performance } from 'node:perf_hooks';
import { renderStack } from '/work/main/stacks/render';
await renderStack('dev');
const t = performance.now(); await renderStack('dev'); console.log('warm', Math.round(performance.now()-t));
