import { ErrorCode, InitProducerIdApi } from '@samsa/protocol'
import { initProducerIdError } from '../security/guards.js'
import { defineHandler } from './types.js'

/**
 * InitProducerId (22), versions 0–5 (v2+ flexible).
 * Behavior: a null transactionalId gets a fresh producer id at epoch 0 (idempotent producer; ids are never reused,
 * even across restarts). With a transactionalId the coordinator bumps the epoch, fencing older instances: an open
 * transaction of the old instance is aborted first. v3+ may name the current producerId/epoch (KIP-360): the epoch
 * is then bumped only if they are current (or it is a retry of the last bump), else PRODUCER_FENCED. An exhausted
 * epoch rotates to a new producer id. Timeouts outside (0, transaction.max.timeout.ms] → INVALID_TRANSACTION_TIMEOUT.
 * Version notes: PRODUCER_FENCED exists from v4; older versions get INVALID_PRODUCER_EPOCH, as Kafka sends them.
 */
export const initProducerIdHandler = defineHandler({
  api: InitProducerIdApi,
  minVersion: 0,
  maxVersion: 5,
  async handle (request, context) {
    const { broker, version } = context
    const { producerId, producerEpoch } = request
    if ((producerId === -1) !== (producerEpoch === -1)) return { throttleTimeMs: 0, errorCode: ErrorCode.INVALID_REQUEST, producerId: -1, producerEpoch: -1 }
    // security/: WRITE on the transactional id; idempotent producers IDEMPOTENT_WRITE on the cluster or WRITE on some topic.
    const denied = initProducerIdError(context, request.transactionalId)
    if (denied !== ErrorCode.NONE) return { throttleTimeMs: 0, errorCode: denied, producerId: -1, producerEpoch: -1 }
    const expected = producerId === -1 ? null : { producerId, epoch: producerEpoch }
    const result = await broker.transactions.initProducerId(request.transactionalId, request.transactionTimeoutMs, expected)
    const errorCode = result.errorCode === ErrorCode.PRODUCER_FENCED && version < 4 ? ErrorCode.INVALID_PRODUCER_EPOCH : result.errorCode
    return { throttleTimeMs: 0, errorCode, producerId: result.producerId, producerEpoch: result.producerEpoch }
  }
})
