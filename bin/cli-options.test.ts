import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { oneOf } from './cli-options.js';

describe('cli options - one of a list', () => {
  const format = oneOf(['paysim', 'sparkov', 'ieee-cis', 'amlworld'] as const, 'format');

  it('takes a choice as it is', () => {
    expect(format('ieee-cis')).toBe('ieee-cis');
  });

  it.each([
    ['paysum', 'unknown format "paysum"; did you mean paysim? (one of paysim, sparkov, ieee-cis, amlworld)'],
    ['PaySim', 'unknown format "PaySim"; did you mean paysim? (one of paysim, sparkov, ieee-cis, amlworld)'],
    ['ieeecis', 'unknown format "ieeecis"; did you mean ieee-cis? (one of paysim, sparkov, ieee-cis, amlworld)'],
    ['aml', 'unknown format "aml" (one of paysim, sparkov, ieee-cis, amlworld)'],
    ['kaggle', 'unknown format "kaggle" (one of paysim, sparkov, ieee-cis, amlworld)'],
    // a word of a choice of several: the one people remember
    ['cis', 'unknown format "cis"; did you mean ieee-cis? (one of paysim, sparkov, ieee-cis, amlworld)'],
  ])('refuses %s, suggesting the choice meant when it is a slip away', (value, message) => {
    expect(() => format(value)).toThrow(InvalidArgumentError);
    expect(() => format(value)).toThrow(message);
  });
});
