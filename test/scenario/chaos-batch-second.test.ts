import { chaosBatchTest } from '../support/chaos-batch';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
jest.setTimeout(600_000);

chaosBatchTest(1);
