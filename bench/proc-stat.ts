import fs from 'node:fs';

/** The fields of /proc/<pid>/stat after the process's name (which may hold spaces). */
function statFields(pid: number | 'self'): string[] {
  return fs.readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
}

/** CPU seconds a process used so far (user + system): utime and stime, fields 14 and 15 of stat. */
export function cpuSeconds(pid: number): number {
  const fields = statFields(pid);
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** CPU seconds of this process's children that have exited and been waited for (cutime + cstime). */
export function childrenCpuSeconds(): number {
  const fields = statFields('self');
  return (Number(fields[13]) + Number(fields[14])) / 100;
}
