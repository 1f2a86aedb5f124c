/** The cluster on Kafka: ownership of partitions by consumer group, their changes replicated, the sync barrier before issuers, take-over and hand-over (docs/cluster.md). */
package io.acqswitch.cluster;
