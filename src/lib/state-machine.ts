import { AppError } from './errors.js';

/**
 * A lifecycle as data: the allowed transitions in one table, checked in one
 * place. Modules write the transition and its audit record together.
 */
export interface StateMachine<S extends string> {
  readonly name: string;
  readonly transitions: Readonly<Record<S, readonly S[]>>;
  can(from: S, to: S): boolean;
  assert(from: S, to: S): void;
}

export function defineStateMachine<S extends string>(name: string, transitions: Record<S, readonly S[]>): StateMachine<S> {
  return {
    name,
    transitions,
    can: (from, to) => transitions[from]?.includes(to) ?? false,
    assert(from, to) {
      if (!(transitions[from]?.includes(to) ?? false)) {
        throw new AppError('INVALID_TRANSITION', `A ${name} cannot go from ${from} to ${to}`, { from, to, allowed: transitions[from] ?? [] });
      }
    },
  };
}
