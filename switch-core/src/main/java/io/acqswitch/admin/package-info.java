/** The HTTP endpoint on the admin port: Prometheus metrics, health and the operations API. */
package io.acqswitch.admin;
