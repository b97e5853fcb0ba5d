/** The environment the test kit reads: where to find external tools. */
export function toolEnv(env: Record<string, string | undefined> = process.env) {
  return { path: env.PATH ?? '', promtool: env.PROMTOOL };
}
