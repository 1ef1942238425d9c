/**
 * Checkpoint I/O on bytes (works in browsers): the safetensors format and archzoo checkpoints.
 * Files on disk (Node only) are in `@archzoo/core/node`.
 */
export {
  type Checkpoint,
  type CheckpointContents,
  type CheckpointSource,
  disposeCheckpoint,
  type LoadCheckpointResult,
  type LoadCheckpointTargets,
  loadCheckpoint,
  OPTIMIZER_PREFIX,
  RESERVED_METADATA_PREFIX,
  readCheckpoint,
  type SaveCheckpointOptions,
  type Stateful,
  saveCheckpoint,
} from './checkpoint.js';
export {
  bfloat16ToFloat,
  floatToBfloat16,
  floatToHalf,
  halfToFloat,
  SAFETENSORS_DTYPES,
  type SafetensorsDtype,
  type StoredTfDtype,
  type TfValues,
} from './dtypes.js';
export {
  type DecodedTensor,
  decodeSafetensors,
  type EncodableTensor,
  encodeSafetensors,
  MAX_HEADER_BYTES,
  parseSafetensorsHeader,
  type SafetensorsEntry,
  type SafetensorsHeader,
} from './safetensors.js';
export type { StateTree } from './state_tree.js';
export {
  type BytesLike,
  type Int64Policy,
  loadSafetensors,
  type SaveSafetensorsOptions,
  saveSafetensors,
  torchInt64Keys,
} from './tensors.js';
