/** Offers: purchase propensity per offer (trained on the history) and the next-best offer. */
export * from './errors';
export * from './types';
export * from './features';
export * from './metrics';
export * from './model';
export * from './retrain';
export * from './nextbest';
