// The one place where importing @archzoo/core changes global tfjs state (declared in `sideEffects`).
import './generated/tfjs-gradients.js';
