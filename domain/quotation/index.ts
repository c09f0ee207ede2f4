/** Hotel group quotations: the pure rules shared by the form script, the webhook handler and the sweep. */
export * from './errors';
export * from './dateonly';
export * from './stay';
export * from './pricing';
export * from './language';
export * from './validation';
export * from './policy';
export * from './deposit';
export * from './followups';
export * from './email';
export * from './enforce';
export * from './refusal';
export * from './phase';
export * from './rooms';
export * from './rooming';
export * from './document';
export * from './report';
