import { startServer } from '../helpers/server';
import { chromiumPath } from './chromium';

export default async function globalSetup() {
  chromiumPath();
  const server = await startServer();
  // Workers start after this and inherit the environment.
  process.env.E2E_BASE_URL = server.url;
  return async () => {
    await server.dispose();
  };
}
