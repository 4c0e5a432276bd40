import { index, type RouteConfig, route } from '@react-router/dev/routes';

export default [
  index('routes/home.tsx'),
  route('oflink/callback', 'routes/callback.tsx'),
  route('connections', 'routes/connections.tsx'),
  // every oflink route (session, confirm, connections, webhook): one resource route
  route('api/oflink/*', 'routes/oflink.ts'),
  route('api/sign-in', 'routes/signIn.ts'),
] satisfies RouteConfig;
