// The "Run affected tests" command line. Node ids contain `::` and `[...]`
// (parametrized tests), which a POSIX shell would glob, so each is quoted.

export function shellQuote(arg: string): string {
  if (/^[A-Za-z0-9_./:=@%+-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** `pytest <ids>`; `pytestCommand` may itself be several words ("python -m pytest"). */
export function pytestCommandLine(pytestCommand: string, ids: string[]): string {
  const base = pytestCommand.trim() || "pytest";
  return [base, ...ids.map(shellQuote)].join(" ");
}
