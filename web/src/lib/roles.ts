/** API key roles, weakest first; a role may do everything the ones before it may. */
export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Whether `role` has at least the rights of `needed`. The server decides; this only hides buttons. */
export function atLeast(role: string | undefined, needed: Role): boolean {
  const have = ROLES.indexOf(role as Role);
  return have >= 0 && have >= ROLES.indexOf(needed);
}
