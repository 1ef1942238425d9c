// Setup for the vitest node project. tfjs's own test flag: it silences the cpu backend's
// "Hi, looks like you are running TensorFlow.js in Node.js" banner (and tfjs's other console
// warnings), and makes the engine check every kernel for leaked data ids (it throws on a leak).
import * as tf from '@tensorflow/tfjs-core';

tf.env().set('IS_TEST', true);
