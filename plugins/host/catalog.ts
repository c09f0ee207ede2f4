/**
 * What the host runs in production: every handler under plugins/handlers/ and every scheduled job.
 * A new handler module is added to `handlers` in plugins/handlers/index.ts; the step check
 * (`compareStepsWithHandlers`, plugins/handlers/index.test.ts) then fails until its step exists under
 * solution/, and the other way round.
 */
export { handlers, jobs } from '../handlers';
