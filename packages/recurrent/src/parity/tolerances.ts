// The tolerances of both parity harnesses (rnn_harness.ts for the torch modules, exotic_helpers.ts
// for the cells written from their papers); the comparison itself is `errorRecorder` from
// @archzoo/core/testing.

/** Forward tolerance: max |archzoo - reference| <= OUTPUT_TOL * max(1, max |reference|). */
export const OUTPUT_TOL = 1e-5;
/** Gradient tolerance, same scaling. */
export const GRAD_TOL = 1e-4;
