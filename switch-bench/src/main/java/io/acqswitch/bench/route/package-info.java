/** JMH benchmarks for BIN routing: lookup speed and allocation of {@code io.acqswitch.route.BinTable}. */
package io.acqswitch.bench.route;
