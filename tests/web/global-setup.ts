import { startServer, OPERATOR_PASSWORD } from './server';

// One real server for the whole run; the tests find it through these variables.
export default async function globalSetup(): Promise<() => Promise<void>> {
  const s = await startServer();
  process.env.DEJIMA_BASE_URL = s.baseUrl;
  process.env.DEJIMA_API_URL = s.apiUrl;
  process.env.DEJIMA_OPERATOR_KEY = s.operatorKey;
  process.env.DEJIMA_OPERATOR_PASSWORD = OPERATOR_PASSWORD;
  return () => s.stop();
}
