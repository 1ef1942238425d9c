// Setup for the vitest node project: drops the one console message tfjs's cpu backend prints on
// first use in Node ("Hi, looks like you are running TensorFlow.js in Node.js ... tfjs-node"),
// which says nothing about the tests. Every other warning passes through.
//
// Not tfjs's IS_TEST flag, which would also silence it: that flag turns on the engine's per-kernel
// leak check, which rejects tfjs's own logSoftmax on wasm (a false "internal memory leak").
const banner = 'Hi, looks like you are running TensorFlow.js in Node.js';
const warn = console.warn.bind(console);
console.warn = (...args: unknown[]) => {
  if (typeof args[0] === 'string' && args[0].includes(banner)) return;
  warn(...args);
};
