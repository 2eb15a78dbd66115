/** A component instance: an Atmos stack and a component in it (`-s dev -c api`). */
export interface ComponentTarget {
  /** The stack name as Atmos computes it (`name_template` / `name_pattern`), e.g. `plat-ue2-dev`. */
  readonly stack: string;
  /** The component name in that stack, e.g. `vpc` or `api`. */
  readonly component: string;
}
