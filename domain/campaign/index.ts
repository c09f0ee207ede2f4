/** Campaigns that respect the customer: the contact policy, the distribution guard and the results. */
export * from './errors';
export * from './policy';
export * from './standing';
export * from './guard';
export * from './results';
export * from './trigger';
export * from './target';
