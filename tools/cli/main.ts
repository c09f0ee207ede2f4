import { Command } from 'commander';
import { consoleLogger } from '../../dataverse/logger';
import { demoExtension } from '../emulator/demo/extension';
import { pagesExtension } from '../emulator/pages/extension';
import { webhooksExtension } from '../emulator/webhooks/extension';
import { registerAuth } from './auth';
import { registerCampaigns } from './campaigns';
import { registerDeploy } from './deploy';
import { registerDoctor } from './doctor';
import { registerEmulator } from './emulator';
import { registerErase } from './erase';
import { registerHost } from './host';
import { registerIngest } from './ingest';
import { registerPack } from './pack';
import { registerRescore } from './rescore';
import { registerRetrain } from './retrain';
import { registerRooming } from './rooming';
import { registerStart } from './start';
import { registerSweep } from './sweep';
import { registerTarget, registerTriggers } from './target';
import { registerReport } from './report';
import { registerTypegen } from './typegen';
import { registerUnpack } from './unpack';

// Subcommands register themselves here; each lives in its own module under tools/cli/.
const program = new Command();
program
  .name('ideario')
  .description('Ideario: pack, unpack, typegen, emulator, host and more')
  .showHelpAfterError();
registerTypegen(program, consoleLogger);
registerHost(program, consoleLogger);
registerEmulator(program, consoleLogger, [
  webhooksExtension(),
  pagesExtension(),
  // Without the host nothing scores the demo interactions; `npm start` runs both.
  demoExtension({ size: 'standard', report: (line) => console.log(line) }),
]);
registerPack(program, consoleLogger);
registerUnpack(program, consoleLogger);
registerSweep(program, consoleLogger);
registerReport(program, consoleLogger);
registerStart(program, consoleLogger);
registerRescore(program, consoleLogger);
registerDeploy(program, consoleLogger);
registerIngest(program, consoleLogger);
registerAuth(program, consoleLogger);
registerDoctor(program, consoleLogger);
registerErase(program, consoleLogger);
registerCampaigns(program, consoleLogger);
registerRetrain(program, consoleLogger);
registerTarget(program, consoleLogger);
registerTriggers(program, consoleLogger);
registerRooming(program, consoleLogger);

void program.parseAsync(process.argv);
