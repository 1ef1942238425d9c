/**
 * @archzoo/graph-nn: not implemented yet. See the package README.
 */
export const NOT_IMPLEMENTED_YET = true as const;
