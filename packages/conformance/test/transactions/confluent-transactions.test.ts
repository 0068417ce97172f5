import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { TestBroker } from '../../src/index.js'
import { InProcessBroker, librdkafkaVariants, python, runPython, startDriver, uniqueName } from './txn-support.js'

/**
 * confluent-kafka-python (librdkafka 2.0.2 from Debian, and a current librdkafka): transactional produce to two
 * topics with commit and abort, seen by read_committed and read_uncommitted consumers (assign(), no group); a
 * consume-transform-produce loop with send_offsets_to_transaction that is SIGKILLed at random points and restarted,
 * after which a read_committed reader of both outputs sees every input record exactly once; and an idempotent
 * producer whose produce response is dropped once by the broker (fault hook), which must leave no duplicate.
 */
const DRIVER = 'txn_confluent.py'
interface Consumed { records: Array<{ topic: string, partition: number, offset: number, value: string }>, errors: string[], complete: boolean }

for (const variant of librdkafkaVariants()) {
  describe(`confluent-kafka-python transactions, ${variant.name}`, { skip: variant.skip }, () => {
    let broker: TestBroker
    before(async () => { broker = await TestBroker.start({ args: ['--num-partitions', '2'] }) })
    after(async () => { await broker?.close() })
    const driver = async <T>(request: object): Promise<T> => await runPython<T>(python!, DRIVER, { bootstrap: broker.bootstrap, ...request }, variant.env)

    test('commit and abort across two topics: read_committed sees the committed records only, read_uncommitted all', async () => {
      const [a, b] = [uniqueName('ck-txn-a'), uniqueName('ck-txn-b')]
      const record = (topic: string, value: string, partition = 0): object => ({ topic, value, partition })
      const produced = await driver<{ results: string[] }>({
        op: 'transactions',
        transactional_id: uniqueName('ck-tid'),
        transactions: [
          { commit: true, records: [record(a, 'c1'), record(b, 'c2', 1), record(a, 'c3')] },
          { commit: false, records: [record(a, 'x1'), record(b, 'x2', 1)] },
          { commit: true, records: [record(b, 'c4', 1)] }
        ]
      })
      assert.deepEqual(produced.results, ['committed', 'aborted', 'committed'])
      const partitions = [{ topic: a, partition: 0 }, { topic: b, partition: 1 }]
      const view = async (isolation: string): Promise<string[]> => {
        const consumed = await driver<Consumed>({ op: 'consume', partitions, config: { 'isolation.level': isolation } })
        assert.ok(consumed.complete, 'reached the end of both partitions')
        assert.deepEqual(consumed.errors, [])
        return consumed.records.map((r) => `${r.topic === a ? 'a' : 'b'}:${r.value}`).sort()
      }
      assert.deepEqual(await view('read_committed'), ['a:c1', 'a:c3', 'b:c2', 'b:c4'])
      assert.deepEqual(await view('read_uncommitted'), ['a:c1', 'a:c3', 'a:x1', 'b:c2', 'b:c4', 'b:x2'])
    })

    test('consume-transform-produce with send_offsets_to_transaction, killed at random points: every input exactly once', async () => {
      const input = uniqueName('ck-ctp-in')
      const outputs = [uniqueName('ck-ctp-out1'), uniqueName('ck-ctp-out2')]
      const values = Array.from({ length: 200 }, (_, i) => `rec-${i}`)
      // Input written by a transactional producer too, in 4 committed transactions over both partitions.
      await driver({
        op: 'transactions',
        transactional_id: uniqueName('ck-feed'),
        transactions: [0, 1, 2, 3].map((chunk) => ({ commit: true, records: values.slice(chunk * 50, chunk * 50 + 50).map((value, i) => ({ topic: input, value, partition: i % 2 })) }))
      })
      const request = { op: 'ctp', bootstrap: broker.bootstrap, group: uniqueName('ck-ctp-group'), transactional_id: uniqueName('ck-ctp'), input, outputs, input_partitions: 2, target: values.length, batch: 5, idle_s: 8 }
      let kills = 0
      const progressAtKill: number[] = []
      for (let round = 0; round < 3; round++) {
        const run = startDriver(python!, DRIVER, request, variant.env)
        run.result.catch(() => {})
        // Kill once the loop has committed something (or after a while), at a random moment.
        const deadline = Date.now() + 20_000
        while (!run.lines.some((line) => line.includes('progress')) && Date.now() < deadline) await sleep(20)
        await sleep(Math.floor(Math.random() * 60))
        run.kill()
        kills++
        await run.result.catch(() => {})
        const progress = run.lines.filter((line) => line.includes('progress')).map((line) => (JSON.parse(line) as { progress: number }).progress)
        progressAtKill.push(progress.length > 0 ? Math.max(...progress) : 0)
      }
      const finished = await startDriver<{ done: number, committed: number[] }>(python!, DRIVER, request, variant.env).result
      assert.equal(kills, 3)
      assert.ok(progressAtKill.some((progress) => progress > 0 && progress < values.length), `a run was killed half-way (progress per killed run: ${progressAtKill})`)
      assert.deepEqual(finished.committed.reduce((sum, offset) => sum + offset, 0) >= values.length, true, `committed input offsets ${finished.committed}`)
      for (const output of outputs) {
        const consumed = await driver<Consumed>({ op: 'consume', partitions: [{ topic: output, partition: 0 }, { topic: output, partition: 1 }], config: { 'isolation.level': 'read_committed' } })
        assert.ok(consumed.complete)
        const seen = consumed.records.map((r) => r.value).sort()
        assert.deepEqual(seen, values.map((value) => `out:${value}`).sort(), `${output}: each input exactly once`)
      }
    })
  })

  describe(`confluent-kafka-python transactions across broker crashes, ${variant.name}`, { skip: variant.skip }, () => {
    let broker: TestBroker
    before(async () => { broker = await TestBroker.start({ args: ['--num-partitions', '2'] }) })
    after(async () => { await broker?.close() })

    test('the broker is SIGKILLed while a consume-transform-produce loop runs: after restarts every input exactly once', async () => {
      const input = uniqueName('ck-crash-in')
      const output = uniqueName('ck-crash-out')
      const values = Array.from({ length: 150 }, (_, i) => `rec-${i}`)
      const feed = { op: 'transactions', bootstrap: broker.bootstrap, transactional_id: uniqueName('ck-crash-feed'), transactions: [{ commit: true, records: values.map((value, i) => ({ topic: input, value, partition: i % 2 })) }] }
      await runPython(python!, DRIVER, feed, variant.env)
      const request = { op: 'ctp', bootstrap: broker.bootstrap, group: uniqueName('ck-crash-group'), transactional_id: uniqueName('ck-crash'), input, outputs: [output], input_partitions: 2, target: values.length, batch: 5, idle_s: 8 }
      for (let round = 0; round < 2; round++) {
        const run = startDriver(python!, DRIVER, request, variant.env)
        run.result.catch(() => {})
        const deadline = Date.now() + 20_000
        while (!run.lines.some((line) => line.includes('progress')) && Date.now() < deadline) await sleep(20)
        await sleep(Math.floor(Math.random() * 40))
        await broker.broker.kill() // mid-transaction or mid-commit, whatever the loop is doing
        run.kill() // the client gives up on its own only after its timeouts: replace it along with the broker
        await run.result.catch(() => {})
        await broker.broker.restart()
      }
      await startDriver(python!, DRIVER, request, variant.env).result
      const consumed = await runPython<Consumed>(python!, DRIVER, { op: 'consume', bootstrap: broker.bootstrap, partitions: [{ topic: output, partition: 0 }, { topic: output, partition: 1 }], config: { 'isolation.level': 'read_committed' } }, variant.env)
      assert.ok(consumed.complete)
      assert.deepEqual(consumed.records.map((r) => r.value).sort(), values.map((value) => `out:${value}`).sort())
    })
  })

  describe(`confluent-kafka-python idempotent producer, ${variant.name}`, { skip: variant.skip }, () => {
    let broker: InProcessBroker
    before(async () => { broker = await InProcessBroker.start() })
    after(async () => { await broker?.close() })

    test('a dropped produce response is retried and deduplicated: no duplicates, offsets in order', async () => {
      const topic = uniqueName('ck-idem')
      const dropped = broker.dropProduceResponses(topic, 1)
      const values = Array.from({ length: 50 }, (_, i) => `idem-${i}`)
      const produced = await runPython<{ reports: Array<{ error: string | null, offset: number }>, undelivered: number }>(python!, DRIVER, {
        op: 'idempotent', bootstrap: broker.bootstrap, topic, values, config: { 'linger.ms': 5 }
      }, variant.env)
      assert.equal(dropped(), 1, 'the fault hook fired')
      assert.equal(produced.undelivered, 0)
      assert.deepEqual(produced.reports.map((r) => r.error), values.map(() => null))
      const consumed = await runPython<Consumed>(python!, DRIVER, { op: 'consume', bootstrap: broker.bootstrap, partitions: [{ topic, partition: 0 }] }, variant.env)
      assert.deepEqual(consumed.records.map((r) => r.value), values)
      assert.deepEqual(consumed.records.map((r) => r.offset), values.map((_, i) => i))
    })
  })
}
