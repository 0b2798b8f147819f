// The public face of core/: what every other folder may use.
export * from './config.js';
export * from './names.js';
export * from './money.js';
export * from './fx.js';
export * from './errors.js';
export * from './log.js';
export * from './paths.js';
export * from './bus.js';
export * from './envelope.js';
export * from './envelope-publisher.js';
export * from './jetstream-publisher.js';
export * from './redis.js';
export * from './metrics.js';
export * from './contracts/index.js';
export * from './heartbeat.js';
export * from './backlog-watch.js';
export * from './text.js';
