/** `--task posed|neutral|both` of `pack` and `validate`: which SVFR tasks a submission holds. */
import { InvalidArgumentError, Option } from 'commander';

export type TaskChoice = 'posed' | 'neutral' | 'both';

export function parseTaskChoice(value: string): TaskChoice {
  if (value !== 'posed' && value !== 'neutral' && value !== 'both') throw new InvalidArgumentError('expected posed, neutral or both');
  return value;
}

export function taskOption(description: string, defaultValue?: TaskChoice): Option {
  const option = new Option('--task <task>', description).argParser(parseTaskChoice);
  return defaultValue === undefined ? option : option.default(defaultValue);
}
