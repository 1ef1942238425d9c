// Side-effect-only module: registers tfjs-core's gradients and chained tensor methods.
export {};
