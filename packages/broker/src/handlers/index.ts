import type { Handler } from './types.js'
import { produceHandler } from './00-produce.js'
import { fetchHandler } from './01-fetch.js'
import { listOffsetsHandler } from './02-list-offsets.js'
import { metadataHandler } from './03-metadata.js'
import { apiVersionsHandler } from './18-api-versions.js'
import { offsetForLeaderEpochHandler } from './23-offset-for-leader-epoch.js'
import { describeClusterHandler } from './60-describe-cluster.js'

/** Every API this broker serves. ApiVersions advertises exactly these spans. */
export const HANDLERS: Handler[] = [
  produceHandler,
  fetchHandler,
  listOffsetsHandler,
  metadataHandler,
  apiVersionsHandler,
  offsetForLeaderEpochHandler,
  describeClusterHandler
] as Handler[]
