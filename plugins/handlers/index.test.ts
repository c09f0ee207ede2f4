import path from 'node:path';
import { loadSolution } from '../../tools/solution/loader';
import { compareStepsWithHandlers, SOLUTION_NAMES } from '../registry';
import { handlers, jobs } from '.';

describe('the handlers the host runs', () => {
  it('match the steps of both solutions one to one, filtering attributes included', () => {
    const solutions = SOLUTION_NAMES.map((name) =>
      loadSolution(path.join(__dirname, '..', '..', 'solution', name)),
    );
    expect(compareStepsWithHandlers(solutions, { handlers }).map((m) => m.message)).toEqual([]);
  });

  it('give every scheduled job its own name', () => {
    expect(new Set(jobs.map((j) => j.name)).size).toBe(jobs.length);
  });
});
