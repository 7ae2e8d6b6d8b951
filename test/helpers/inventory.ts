/**
 * Everything a browser or script can call, found from the file tree and the build, so a new
 * route, page or server action is covered by the access and validation tests without anyone
 * remembering to add it. Each one must declare its permission where these readers can see it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PERMISSIONS, ROLES, type Permission } from '@/lib/auth/permissions';
import type { Role } from '@/db/schema';
import { projectDir } from './server';

/** Endpoints that are public on purpose, with the reason. */
export const PUBLIC_ROUTE_FILES: Record<string, string> = {
  'app/api/auth/[...nextauth]/route.ts': 'next-auth: sign-in, sign-out and CSRF must work without a session',
  'app/calendar/[file]/route.ts': 'the private calendar feed: calendar apps send no session; the token in the path is the credential (test/portal-calendar.integ.ts)',
};

export const PLACEHOLDER_ID = '00000000-0000-4000-8000-000000000000';

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? walk(full) : [full];
  });
}

/** `app/(admin)/users/[id]/page.tsx` → `/users/<placeholder>` */
export function urlPathOf(file: string): string {
  const segments = path
    .dirname(file)
    .split('/')
    .slice(1) // "app"
    .filter((s) => !(s.startsWith('(') && s.endsWith(')')))
    .map((s) => (s.startsWith('[') ? PLACEHOLDER_ID : s));
  return `/${segments.join('/')}`;
}

export function allowedRoles(permission: Permission): Role[] {
  return [...(PERMISSIONS[permission] as readonly Role[])];
}

export function deniedRoles(permission: Permission): Role[] {
  return ROLES.filter((r) => !allowedRoles(permission).includes(r));
}

function assertPermission(name: string, where: string): Permission {
  if (!(name in PERMISSIONS)) throw new Error(`${where} declares unknown permission "${name}"`);
  return name as Permission;
}

export interface RouteMethod {
  file: string;
  path: string;
  method: string;
  permission: Permission;
  hasBody: boolean;
  hasQuery: boolean;
}

export function routeMethods(): RouteMethod[] {
  const files = walk(path.join(projectDir, 'app'))
    .map((f) => path.relative(projectDir, f))
    .filter((f) => /\/route\.tsx?$/.test(f) && !(f in PUBLIC_ROUTE_FILES));
  return files.flatMap((file) => {
    const source = fs.readFileSync(path.join(projectDir, file), 'utf8');
    const exported = [...source.matchAll(/export\s+(?:const|async function|function)\s+(GET|POST|PUT|PATCH|DELETE|HEAD)\b/g)].map((m) => m[1]);
    const reexported = [...source.matchAll(/export\s*\{([^}]*)\}/g)].flatMap((m) => [...m[1].matchAll(/\bas\s+(GET|POST|PUT|PATCH|DELETE)\b/g)].map((x) => x[1]));
    return [...exported, ...reexported].map((method) => {
      const declaration = new RegExp(`export const ${method} = jsonRoute\\(\\s*\\{([^]*?)\\}\\s*,\\s*(?:async\\s*)?\\(`).exec(source);
      if (!declaration) throw new Error(`${file} ${method} must be a jsonRoute({ permission, ... }) so that it checks the session and role`);
      const permission = /permission:\s*'([\w.]+)'/.exec(declaration[1]);
      if (!permission) throw new Error(`${file} ${method} declares no permission`);
      return {
        file,
        path: urlPathOf(file),
        method,
        permission: assertPermission(permission[1], `${file} ${method}`),
        hasBody: /\bbody:/.test(declaration[1]),
        hasQuery: /\bquery:/.test(declaration[1]),
      };
    });
  });
}

export interface PageRoute {
  file: string;
  path: string;
  permission: Permission;
}

/** Every page under the admin and portal areas, with the permission its guard asks for. */
export function guardedPages(): PageRoute[] {
  return walk(path.join(projectDir, 'app'))
    .map((f) => path.relative(projectDir, f))
    .filter((f) => /^app\/\((admin|portal)\)\/.*page\.tsx$/.test(f))
    .map((file) => {
      const source = fs.readFileSync(path.join(projectDir, file), 'utf8');
      const m = /requirePageActor\('([\w.]+)'\)/.exec(source);
      if (!m) throw new Error(`${file} must call requirePageActor(permission) itself`);
      return { file, path: urlPathOf(file), permission: assertPermission(m[1], file) };
    });
}

export interface ServerActionRef {
  id: string;
  name: string;
  file: string;
  pagePath: string;
  permission: Permission;
}

/** Every server action in the build, with the permission its serverAction wrapper declares. */
export function serverActions(): ServerActionRef[] {
  const manifestPath = path.join(projectDir, '.next/server/server-reference-manifest.json');
  if (!fs.existsSync(manifestPath)) throw new Error('No build found: run `npm run build` before the integration tests');
  const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as {
    node: Record<string, { filename: string; exportedName: string; workers: Record<string, unknown> }>;
  };
  return Object.entries(manifest.node).map(([id, entry]) => {
    const source = fs.readFileSync(path.join(projectDir, entry.filename), 'utf8');
    const declaration = new RegExp(`export const ${entry.exportedName} = serverAction\\(\\s*\\{([^]*?)\\}`).exec(source);
    if (!declaration) throw new Error(`${entry.filename} ${entry.exportedName} must be a serverAction({ permission, ... })`);
    const permission = /permission:\s*'([\w.]+)'/.exec(declaration[1]);
    if (!permission) throw new Error(`${entry.filename} ${entry.exportedName} declares no permission`);
    const worker = Object.keys(entry.workers)[0];
    return {
      id,
      name: entry.exportedName,
      file: entry.filename,
      pagePath: urlPathOf(`${worker}.tsx`),
      permission: assertPermission(permission[1], entry.exportedName),
    };
  });
}
