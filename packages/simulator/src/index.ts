export type { InitRequest } from './initRequest';
export { initRequestSchema, parseInitRequest } from './initRequest';
export type { SandboxScenario } from './scenarios';
export { SANDBOX_CODE, SANDBOX_PASSWORD, SCENARIOS, scenarioForEmail } from './scenarios';
export type { Simulator } from './startSimulator';
export { faultSchema, startSimulator } from './startSimulator';
export type {
  Connection,
  Fault,
  SessionRecord,
  SimulatorApp,
  SimulatorOptions,
  WebhookDelivery,
} from './types';
export type { WebhookEventType } from './webhooks';
export { generateWebhookSecret, signOfauth, signStandard } from './webhooks';
