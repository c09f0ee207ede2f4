import path from 'node:path';
import { loadSolution } from '../../../tools/solution/loader';
import { compareStepsWithHandlers } from '../../registry';
import { createInterestsPlugins } from '.';

const solutionDir = path.join(__dirname, '..', '..', '..', 'solution', 'IdearioInterests');

describe('IdearioInterests steps and handlers', () => {
  it('gives every step in solution/ a handler and every handler a step, with the same filtering attributes', () => {
    const solution = loadSolution(solutionDir);
    const { handlers } = createInterestsPlugins();
    expect(solution.steps.length).toBeGreaterThan(0);
    expect(compareStepsWithHandlers([solution], { handlers }).map((m) => m.message)).toEqual([]);
  });

  it('declares one handler per step, so a Dataverse step never posts to a host with nothing to run', () => {
    const solution = loadSolution(solutionDir);
    const { handlers } = createInterestsPlugins();
    expect(handlers).toHaveLength(solution.steps.length);
  });
});
