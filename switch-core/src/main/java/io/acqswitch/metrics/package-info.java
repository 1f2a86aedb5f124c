/** Operator-facing signals: Micrometer meters (Prometheus names, low-cardinality tags) and throttled log lines. */
package io.acqswitch.metrics;
