/** The cluster on Kafka: the store's changes replicated per partition, the sync barrier before issuers, take-over (docs/cluster.md). */
package io.acqswitch.cluster;
