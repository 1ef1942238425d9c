// Setup for the vitest browser project. tfjs's wasm backend fetches its .wasm binaries from beside
// its script, but Vite pre-bundles the script into node_modules/.vite without them; point tfjs at
// the package's own dist, which Vite serves from the repository root.
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

setWasmPaths(`${location.origin}/node_modules/@tensorflow/tfjs-backend-wasm/dist/`);
