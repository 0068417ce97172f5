import { BrokerProcess, type BrokerProcessOptions } from './broker-process.js'
import { VersionRecorder } from './version-recorder.js'

/**
 * A broker reached through a VersionRecorder: clients bootstrap on the recorder's port and the broker advertises
 * that port in Metadata, so every request of every client passes through it and the API versions each client
 * negotiated can be asserted. restart() keeps the broker's port, so the recorder's target stays valid.
 */
export class TestBroker {
  private constructor (readonly broker: BrokerProcess, readonly recorder: VersionRecorder) {}

  static async start (options: BrokerProcessOptions = {}): Promise<TestBroker> {
    const recorder = await VersionRecorder.start()
    let broker: BrokerProcess
    try {
      broker = await BrokerProcess.start({ ...options, args: [...(options.args ?? []), '--set', `advertised.port=${recorder.port}`] })
    } catch (error) {
      await recorder.close()
      throw error
    }
    recorder.target(broker.host, broker.port)
    return new TestBroker(broker, recorder)
  }

  /** What clients should use as bootstrap.servers. */
  get bootstrap (): string { return this.recorder.bootstrap }

  get dataDir (): string { return this.broker.dataDir }

  async close (): Promise<void> {
    if (this.broker.running) await this.broker.stop().catch(() => undefined)
    this.broker.cleanup()
    await this.recorder.close()
  }
}
