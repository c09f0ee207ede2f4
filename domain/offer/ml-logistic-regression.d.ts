// ml-logistic-regression 2.x ships no types: the part Ideario uses.
declare module 'ml-logistic-regression' {
  import type { Matrix } from 'ml-matrix';

  interface TwoClassClassifier {
    /** 1 × columns, set by `train`. */
    weights: Matrix | null;
    testScores(features: Matrix): number[];
  }

  export default class LogisticRegression {
    constructor(options?: { numSteps?: number; learningRate?: number });
    /** One-vs-all: for labels 0/1, `classifiers[0]` scores P(label ≠ 0), i.e. P(label = 1). */
    classifiers: TwoClassClassifier[];
    numberClasses: number;
    train(features: Matrix, labels: Matrix): void;
    predict(features: Matrix): number[];
  }
}
