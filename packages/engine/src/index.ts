export * from './engine.js';
export * from './scheduler.js';
export * from './dispatcher.js';
export * from './run-recorder.js';
export * from './retry-policy.js';
export * from './run-observer.js';
export * from './build-request.js';
export * from './executor/index.js';
