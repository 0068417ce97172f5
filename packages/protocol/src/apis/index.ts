// One file per Kafka API, named by key and API. The registry below lists every API the protocol package declares.
import type { ApiDefinition } from '../codec/api.js'
import { ProduceApi } from './00-produce.js'
import { FetchApi } from './01-fetch.js'
import { ListOffsetsApi } from './02-list-offsets.js'
import { MetadataApi } from './03-metadata.js'
import { OffsetCommitApi } from './08-offset-commit.js'
import { OffsetFetchApi } from './09-offset-fetch.js'
import { FindCoordinatorApi } from './10-find-coordinator.js'
import { JoinGroupApi } from './11-join-group.js'
import { HeartbeatApi } from './12-heartbeat.js'
import { LeaveGroupApi } from './13-leave-group.js'
import { SyncGroupApi } from './14-sync-group.js'
import { DescribeGroupsApi } from './15-describe-groups.js'
import { ListGroupsApi } from './16-list-groups.js'
import { SaslHandshakeApi } from './17-sasl-handshake.js'
import { ApiVersionsApi } from './18-api-versions.js'
import { CreateTopicsApi } from './19-create-topics.js'
import { DeleteTopicsApi } from './20-delete-topics.js'
import { DeleteRecordsApi } from './21-delete-records.js'
import { InitProducerIdApi } from './22-init-producer-id.js'
import { OffsetForLeaderEpochApi } from './23-offset-for-leader-epoch.js'
import { AddPartitionsToTxnApi } from './24-add-partitions-to-txn.js'
import { AddOffsetsToTxnApi } from './25-add-offsets-to-txn.js'
import { EndTxnApi } from './26-end-txn.js'
import { TxnOffsetCommitApi } from './28-txn-offset-commit.js'
import { DescribeAclsApi } from './29-describe-acls.js'
import { CreateAclsApi } from './30-create-acls.js'
import { DeleteAclsApi } from './31-delete-acls.js'
import { DescribeConfigsApi } from './32-describe-configs.js'
import { AlterConfigsApi } from './33-alter-configs.js'
import { DescribeLogDirsApi } from './35-describe-log-dirs.js'
import { SaslAuthenticateApi } from './36-sasl-authenticate.js'
import { CreatePartitionsApi } from './37-create-partitions.js'
import { DeleteGroupsApi } from './42-delete-groups.js'
import { IncrementalAlterConfigsApi } from './44-incremental-alter-configs.js'
import { OffsetDeleteApi } from './47-offset-delete.js'
import { DescribeUserScramCredentialsApi } from './50-describe-user-scram-credentials.js'
import { AlterUserScramCredentialsApi } from './51-alter-user-scram-credentials.js'
import { DescribeClusterApi } from './60-describe-cluster.js'
import { DescribeProducersApi } from './61-describe-producers.js'
import { DescribeTransactionsApi } from './65-describe-transactions.js'
import { ListTransactionsApi } from './66-list-transactions.js'
import { ConsumerGroupHeartbeatApi } from './68-consumer-group-heartbeat.js'
import { ConsumerGroupDescribeApi } from './69-consumer-group-describe.js'

export {
  ProduceApi, FetchApi, ListOffsetsApi, MetadataApi, OffsetCommitApi, OffsetFetchApi, FindCoordinatorApi,
  JoinGroupApi, HeartbeatApi, LeaveGroupApi, SyncGroupApi, DescribeGroupsApi, ListGroupsApi, SaslHandshakeApi,
  ApiVersionsApi, CreateTopicsApi, DeleteTopicsApi, DeleteRecordsApi, InitProducerIdApi, OffsetForLeaderEpochApi,
  AddPartitionsToTxnApi, AddOffsetsToTxnApi, EndTxnApi, TxnOffsetCommitApi, DescribeAclsApi, CreateAclsApi,
  DeleteAclsApi, DescribeConfigsApi, AlterConfigsApi, DescribeLogDirsApi, SaslAuthenticateApi, CreatePartitionsApi,
  DeleteGroupsApi, IncrementalAlterConfigsApi, OffsetDeleteApi, DescribeUserScramCredentialsApi,
  AlterUserScramCredentialsApi, DescribeClusterApi, DescribeProducersApi,
  DescribeTransactionsApi, ListTransactionsApi, ConsumerGroupHeartbeatApi, ConsumerGroupDescribeApi
}

/** Every declared API, ordered by key. */
export const ALL_APIS: readonly ApiDefinition[] = [
  ProduceApi,
  FetchApi,
  ListOffsetsApi,
  MetadataApi,
  OffsetCommitApi,
  OffsetFetchApi,
  FindCoordinatorApi,
  JoinGroupApi,
  HeartbeatApi,
  LeaveGroupApi,
  SyncGroupApi,
  DescribeGroupsApi,
  ListGroupsApi,
  SaslHandshakeApi,
  ApiVersionsApi,
  CreateTopicsApi,
  DeleteTopicsApi,
  DeleteRecordsApi,
  InitProducerIdApi,
  OffsetForLeaderEpochApi,
  AddPartitionsToTxnApi,
  AddOffsetsToTxnApi,
  EndTxnApi,
  TxnOffsetCommitApi,
  DescribeAclsApi,
  CreateAclsApi,
  DeleteAclsApi,
  DescribeConfigsApi,
  AlterConfigsApi,
  DescribeLogDirsApi,
  SaslAuthenticateApi,
  CreatePartitionsApi,
  DeleteGroupsApi,
  IncrementalAlterConfigsApi,
  OffsetDeleteApi,
  DescribeUserScramCredentialsApi,
  AlterUserScramCredentialsApi,
  DescribeClusterApi,
  DescribeProducersApi,
  DescribeTransactionsApi,
  ListTransactionsApi,
  ConsumerGroupHeartbeatApi,
  ConsumerGroupDescribeApi
]
