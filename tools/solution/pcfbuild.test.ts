import path from 'node:path';
import { findControls, PcfBuildFailedError } from './pcfbuild';

describe('PCF control build', () => {
  it('finds the four controls of pcf-controls/', async () => {
    expect(await findControls(path.join(__dirname, '..', '..', 'pcf-controls'))).toEqual([
      'ImpactRanking',
      'InterestProfile',
      'QuotationTimeline',
      'TargetBuilder',
    ]);
  });

  it('names the control, the step and the end of the log when a build fails', () => {
    const error = new PcfBuildFailedError(
      'ImpactRanking',
      'pcf-scripts build',
      'line 1\n[build] Failed:\nTS2304: x',
    );
    expect(error.message).toContain('PCF control ImpactRanking did not build (pcf-scripts build)');
    expect(error.message).toContain('TS2304: x');
  });
});
