/**
 * Entry point of the Azure Functions app (the `main` a Functions deployment points at). Settings come
 * from the app settings (same names as for `ideario host`); deps are built on first use so a missing
 * setting fails the invocation with a readable error instead of the worker start-up.
 */
import { app } from '@azure/functions';
import { consoleLogger } from '../../../dataverse/logger';
import { handlers, jobs } from '../catalog';
import { createHostDeps, readHostEnvironment } from '../env';
import { memoizeDeps, registerFunctions } from './functions';

const getDeps = memoizeDeps(() =>
  createHostDeps(readHostEnvironment(process.env), {
    clock: () => new Date(),
    logger: consoleLogger,
    handlers,
  }),
);

registerFunctions(app, jobs, getDeps);
